package dev.strand.protocol.message;

import java.util.List;

/**
 * A volume as the registry and its replicas know it. The usage figures are those of the replica that
 * answered and are absent (-1) in listings that did not ask the replicas.
 *
 * <p>Optional (absent from older servers, ignored by older clients): {@code minReplicas} ("1" or
 * "majority") and {@code replicaInfo}, one entry per replica of the storage group (absent in listings).
 */
public record VolumeInfo(String name, long id, Fid root, int replicas, long createdMillis,
                         long files, long directories, long symlinks, long bytes,
                         List<Long> versionVector, String minReplicas, List<ReplicaInfo> replicaInfo)
        implements Reply {

    public VolumeInfo(String name, long id, Fid root, int replicas, long createdMillis, long files,
                      long directories, long symlinks, long bytes, List<Long> versionVector) {
        this(name, id, root, replicas, createdMillis, files, directories, symlinks, bytes, versionVector, null, null);
    }
}
