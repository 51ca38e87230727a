package dev.strand.protocol.message;

import java.util.List;

public record VolumeListReply(List<VolumeInfo> volumes) implements Reply {}
