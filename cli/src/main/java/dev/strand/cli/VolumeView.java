package dev.strand.cli;

import dev.strand.protocol.message.VolumeInfo;

import java.util.List;

/**
 * A volume as {@code volume list --json} and {@code volume info --json} print it. Usage figures are -1 when the
 * server did not report them (listings may leave them out). Field names are stable.
 */
public record VolumeView(String name, long id, String root, int replicas, String created, long createdMillis,
                         long files, long directories, long symlinks, long bytes, List<Long> versionVector) {

    public static VolumeView of(VolumeInfo v) {
        return new VolumeView(v.name(), v.id(), Formats.fid(v.root()), v.replicas(), Formats.isoTime(v.createdMillis()),
                v.createdMillis(), v.files(), v.directories(), v.symlinks(), v.bytes(),
                v.versionVector() == null ? List.of() : v.versionVector());
    }
}
