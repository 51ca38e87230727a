package dev.strand.cli;

import dev.strand.client.BlockingStrandClient;
import dev.strand.protocol.message.ConflictInfo;
import dev.strand.protocol.message.VolumeInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;

/** {@code strand repair list [VOLUME] [--json]}. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List every object and name in conflict (of one volume, or of every volume): path, kind, "
                + "the replicas involved, why.")
public final class RepairListCommand extends ClientCommand {
    @Parameters(paramLabel = "VOLUME", arity = "0..1", description = "Volume name (default: every volume).")
    String volume;

    @Option(names = "--json", description = "Print the conflicts as a JSON array.")
    boolean json;

    /** One conflict as {@code --json} prints it. Field names are stable. */
    public record ConflictView(String volume, String kind, List<String> paths, List<String> objects,
                               List<Integer> replicas, String reason, List<Integer> markedOn) {
        static ConflictView of(String volume, ConflictInfo c) {
            List<String> objects = c.objects() == null ? List.of()
                    : c.objects().stream().map(Formats::fid).toList();
            return new ConflictView(volume, c.kind(), c.paths() == null ? List.of() : c.paths(), objects,
                    c.replicas() == null ? List.of() : c.replicas(), c.reason(),
                    c.markedOn() == null ? List.of() : c.markedOn());
        }
    }

    @Override
    protected int run(BlockingStrandClient client) {
        List<String> names = new ArrayList<>();
        if (volume != null) {
            names.add(volume);
        } else {
            client.volumeList().stream().map(VolumeInfo::name).forEach(names::add);
        }
        List<ConflictView> views = new ArrayList<>();
        int code = ExitCodes.OK;
        for (String name : names) {
            code = combine(code, onPath(name, () -> client.repairList(name)
                    .forEach(c -> views.add(ConflictView.of(name, c)))));
        }
        if (json) {
            Json.print(out(), views);
            return code;
        }
        if (views.isEmpty()) {
            out().println("no conflicts");
            return code;
        }
        out().printf("%-16s  %-32s  %-14s  %-9s  %s%n", "VOLUME", "PATH", "KIND", "REPLICAS", "REASON");
        for (ConflictView v : views) {
            out().printf("%-16s  %-32s  %-14s  %-9s  %s%n", v.volume(), String.join(", ", v.paths().stream()
                    .map(p -> p.startsWith("/") ? "/" + v.volume() + p : p).toList()), v.kind(), v.replicas(), v.reason());
        }
        return code;
    }
}
