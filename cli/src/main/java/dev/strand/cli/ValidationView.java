package dev.strand.cli;

import dev.strand.protocol.message.ValidateReply;

import java.util.List;

/**
 * What {@code stat --validate --json} prints: every replica's version of the object and whether they
 * agree. Field names are stable. {@code versionVector} is empty for a replica that did not answer or does
 * not have the object ({@code problem} says which).
 */
public record ValidationView(String path, boolean agree, List<ReplicaVersionView> replicas) {

    public record ReplicaVersionView(int index, String node, boolean available, List<Long> versionVector,
                                     long dataVersion, String problem) {}

    public static ValidationView of(String path, ValidateReply reply) {
        List<ReplicaVersionView> replicas = reply.replicas() == null ? List.of() : reply.replicas().stream()
                .map(r -> new ReplicaVersionView(r.index(), r.node(), r.available(),
                        r.versionVector() == null ? List.of() : r.versionVector(), r.dataVersion(), r.problem()))
                .toList();
        return new ValidationView(path, reply.agree(), replicas);
    }
}
