package dev.strand.cli;

import dev.strand.protocol.message.VolumeInfo;

import java.util.List;

/**
 * A volume as {@code volume list --json} and {@code volume info --json} print it. Usage figures are -1 when the
 * server did not report them (listings may leave them out). Field names are stable.
 */
public record VolumeView(String name, long id, String root, int replicas, String created, long createdMillis,
                         long files, long directories, long symlinks, long bytes, List<Long> versionVector,
                         String minReplicas, List<ReplicaView> replicaGroup) {

    /**
     * One replica of the storage group (volume info only): {@code node} null when not known,
     * {@code pendingCop2} -1 and {@code versionVector} empty when it did not answer; {@code state}: current,
     * behind, catching-up, diverged or unavailable (null from older servers); {@code resolutionLogEntries} and
     * {@code conflicts}: -1 when it did not answer, null from older servers.
     */
    public record ReplicaView(int index, String entityId, String node, boolean available, List<Long> versionVector,
                              int pendingCop2, String state, Integer resolutionLogEntries, Integer conflicts) {}

    public static VolumeView of(VolumeInfo v) {
        List<ReplicaView> group = v.replicaInfo() == null ? List.of() : v.replicaInfo().stream()
                .map(r -> new ReplicaView(r.index(), r.entityId(), r.node(), r.available(),
                        r.versionVector() == null ? List.of() : r.versionVector(), r.pendingCop2(), r.state(),
                        r.resolutionLogEntries(), r.conflicts()))
                .toList();
        return new VolumeView(v.name(), v.id(), Formats.fid(v.root()), v.replicas(), Formats.isoTime(v.createdMillis()),
                v.createdMillis(), v.files(), v.directories(), v.symlinks(), v.bytes(),
                v.versionVector() == null ? List.of() : v.versionVector(),
                v.minReplicas() == null ? "1" : v.minReplicas(), group);
    }
}
