package dev.strand.cli;

import dev.strand.client.BlockingStrandClient;
import dev.strand.protocol.message.ReplicaInfo;
import dev.strand.protocol.message.VolumeInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.List;

/** {@code strand volume info NAME [--json]}. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Show a volume: id, root, usage, and each replica (node, state, version vector, pending COP2, resolution-log entries, conflicts).")
public final class VolumeInfoCommand extends ClientCommand {
    @Parameters(paramLabel = "NAME", description = "Volume name.")
    String name;

    @Option(names = "--json", description = "Print the volume as JSON.")
    boolean json;

    @Override
    protected int run(BlockingStrandClient client) {
        return onPath(name, () -> {
            VolumeInfo v = client.volumeInfo(name);
            if (json) {
                Json.print(out(), VolumeView.of(v));
                return;
            }
            out().println("       Name: " + v.name());
            out().println("         Id: " + v.id());
            out().println("       Root: " + Formats.fid(v.root()));
            out().println("   Replicas: " + v.replicas() + " (min-replicas " + (v.minReplicas() == null ? "1" : v.minReplicas())
                    + ")");
            out().println("    Created: " + Formats.isoTime(v.createdMillis()));
            out().println("      Files: " + count(v.files()));
            out().println("Directories: " + count(v.directories()));
            out().println("   Symlinks: " + count(v.symlinks()));
            out().println("      Bytes: " + (v.bytes() < 0 ? "unknown" : v.bytes() + " (" + Formats.humanBytes(v.bytes()) + ")"));
            if (v.versionVector() != null && !v.versionVector().isEmpty()) {
                out().println("    Version: " + v.versionVector());
            }
            if (v.replicaInfo() != null && !v.replicaInfo().isEmpty()) {
                printReplicas(out(), v.replicaInfo());
            }
        });
    }

    /** The storage group, one line per replica; RES LOG: its resolution-log entries. */
    static void printReplicas(PrintWriter out, List<ReplicaInfo> replicas) {
        out.printf("%5s  %-10s  %-24s  %-12s  %-24s  %-12s  %-7s  %s%n", "INDEX", "ENTITY", "NODE", "STATE",
                "VERSION VECTOR", "PENDING COP2", "RES LOG", "CONFLICTS");
        for (ReplicaInfo r : replicas) {
            out.printf("%5d  %-10s  %-24s  %-12s  %-24s  %-12s  %-7s  %s%n", r.index(), r.entityId(),
                    r.node() == null ? "-" : r.node(),
                    r.state() != null ? r.state() : r.available() ? "-" : "unavailable",
                    r.available() ? String.valueOf(r.versionVector()) : "(did not answer)",
                    r.available() ? Integer.toString(r.pendingCop2()) : "-",
                    figure(r.available(), r.resolutionLogEntries()), figure(r.available(), r.conflicts()));
        }
    }

    /** "-" where the replica did not answer or its server does not report the figure. */
    private static String figure(boolean available, Integer n) {
        return available && n != null && n >= 0 ? Integer.toString(n) : "-";
    }

    private static String count(long n) {
        return n < 0 ? "unknown" : Long.toString(n);
    }
}
