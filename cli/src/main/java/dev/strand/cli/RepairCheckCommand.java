package dev.strand.cli;

import dev.strand.client.BlockingStrandClient;
import dev.strand.protocol.message.RepairCheckReply;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.List;

/** {@code strand repair check VOLUME [--json]}. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Compare the volume's replicas now (their volume version vectors) and start what they need: a "
                + "catch-up for a replica that is behind, a resolution for replicas that diverged. Shows each replica "
                + "after the check and what was started.")
public final class RepairCheckCommand extends ClientCommand {
    @Parameters(paramLabel = "VOLUME", description = "Volume name.")
    String volume;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    /** The check as {@code --json} prints it; field names are stable. */
    public record CheckView(String volume, List<VolumeView.ReplicaView> replicas, List<String> started) {
        static CheckView of(RepairCheckReply reply) {
            return new CheckView(reply.name(), reply.replicas().stream()
                    .map(r -> new VolumeView.ReplicaView(r.index(), r.entityId(), r.node(), r.available(),
                            r.versionVector() == null ? List.of() : r.versionVector(), r.pendingCop2(), r.state(),
                            r.resolutionLogEntries(), r.conflicts()))
                    .toList(), reply.started() == null ? List.of() : reply.started());
        }
    }

    @Override
    protected int run(BlockingStrandClient client) {
        return onPath(volume, () -> {
            RepairCheckReply reply = client.repairCheck(volume);
            if (json) {
                Json.print(out(), CheckView.of(reply));
                return;
            }
            print(out(), reply);
        });
    }

    static void print(PrintWriter out, RepairCheckReply reply) {
        VolumeInfoCommand.printReplicas(out, reply.replicas());
        List<String> started = reply.started() == null ? List.of() : reply.started();
        out.println(started.isEmpty() ? "Started: nothing (the replicas agree, or each is already being looked after)"
                : "Started: " + String.join("; ", started));
    }
}
