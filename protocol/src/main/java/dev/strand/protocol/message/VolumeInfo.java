package dev.strand.protocol.message;

import java.util.List;

/**
 * A volume as the registry and its replicas know it. The usage figures are those of the replica that
 * answered and are absent (-1) in listings that did not ask the replicas.
 */
public record VolumeInfo(String name, long id, Fid root, int replicas, long createdMillis,
                         long files, long directories, long symlinks, long bytes,
                         List<Long> versionVector) implements Reply {}
