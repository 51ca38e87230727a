package dev.strand.cli;

import dev.strand.client.BlockingStrandClient;
import dev.strand.protocol.message.ConflictInfo;
import dev.strand.protocol.message.DirEntry;
import dev.strand.protocol.message.RepairShowReply;
import dev.strand.protocol.message.ReplicaObjectInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** {@code strand repair show PATH [--json]}. */
@Command(name = "show", mixinStandardHelpOptions = true,
        description = "Show each replica's version of an object (in conflict or not): version vector, data version, "
                + "size, mtime, type; for a directory its entries per replica and where they differ.")
public final class RepairShowCommand extends ClientCommand {
    @Parameters(paramLabel = "PATH", description = "/<volume>/<path> of the object.")
    String path;

    @Option(names = "--json", description = "Print the versions as JSON.")
    boolean json;

    /** What {@code --json} prints. Field names are stable. */
    public record ShowView(String path, List<VersionView> replicas, List<String> differingEntries,
                           List<RepairListCommand.ConflictView> conflicts) {}

    /** One replica's version; {@code entries} ("name -> fid") only for a directory. */
    public record VersionView(int index, String node, boolean available, String fid, String type,
                              List<Long> versionVector, long dataVersion, long size, String mtime, String mode,
                              List<String> entries, boolean entriesComplete, String problem) {}

    @Override
    protected int run(BlockingStrandClient client) {
        return onPath(path, () -> {
            RepairShowReply reply = client.repairShow(path);
            ShowView view = view(reply);
            if (json) {
                Json.print(out(), view);
                return;
            }
            out().printf("%5s  %-24s  %-12s  %-9s  %-16s  %-7s  %-12s  %-24s  %s%n", "INDEX", "NODE", "FID", "TYPE",
                    "VERSION VECTOR", "DATA", "SIZE", "MTIME", "PROBLEM");
            for (VersionView v : view.replicas()) {
                out().printf("%5d  %-24s  %-12s  %-9s  %-16s  %-7s  %-12s  %-24s  %s%n", v.index(),
                        v.node() == null ? "-" : v.node(), v.fid() == null ? "-" : v.fid(),
                        v.type() == null ? "-" : v.type(), v.versionVector() == null ? "-" : v.versionVector(),
                        v.fid() == null ? "-" : v.dataVersion(), v.fid() == null ? "-" : v.size(),
                        v.mtime() == null ? "-" : v.mtime(), v.problem() == null ? "" : v.problem());
            }
            for (VersionView v : view.replicas()) {
                if (v.entries() != null) {
                    out().println("replica " + v.index() + " entries" + (v.entriesComplete() ? "" : " (first ones)")
                            + ": " + String.join(", ", v.entries()));
                }
            }
            if (!view.differingEntries().isEmpty()) {
                out().println("entries that differ: " + String.join(", ", view.differingEntries()));
            }
            for (RepairListCommand.ConflictView c : view.conflicts()) {
                out().println("conflict " + c.kind() + " between replicas " + c.replicas() + ": " + c.reason());
            }
            String hint = repairHint(path, reply);
            if (hint != null) {
                out().println("repair with: " + hint);
            }
        });
    }

    ShowView view(RepairShowReply reply) {
        List<VersionView> versions = new ArrayList<>();
        Map<String, List<String>> bindings = new TreeMap<>(); // name -> each replica's binding
        int directories = 0;
        for (ReplicaObjectInfo r : reply.replicas()) {
            List<String> entries = null;
            if (r.entries() != null) {
                directories++;
                entries = new ArrayList<>();
                for (DirEntry e : r.entries()) {
                    String binding = e.name() + " -> " + Formats.fid(e.fid());
                    entries.add(binding);
                    bindings.computeIfAbsent(e.name(), n -> new ArrayList<>()).add(binding);
                }
            }
            versions.add(new VersionView(r.index(), r.node(), r.available(), r.fid() == null ? null : Formats.fid(r.fid()),
                    r.type() == null ? null : r.type().name(), r.versionVector(), r.dataVersion(), r.size(),
                    r.fid() == null ? null : Formats.isoTime(r.mtimeMillis()),
                    r.fid() == null ? null : Formats.octal(r.mode()), entries, r.entriesComplete(), r.problem()));
        }
        List<String> differing = new ArrayList<>();
        int withEntries = directories;
        bindings.forEach((name, each) -> {
            if (each.size() != withEntries || each.stream().distinct().count() > 1) {
                differing.add(name);
            }
        });
        List<RepairListCommand.ConflictView> conflicts = reply.conflicts() == null ? List.of()
                : reply.conflicts().stream().filter(Objects::nonNull)
                .map((ConflictInfo c) -> RepairListCommand.ConflictView.of(volumeOf(path), c)).toList();
        return new ShowView(path, versions, differing, conflicts);
    }

    /**
     * The command that settles {@code path}'s conflicts: {@code repair file} for a file's versions alone (an
     * UPDATE_UPDATE naming no name), else {@code repair dir} of its directory (names, directories included); null if
     * none is marked.
     */
    static String repairHint(String path, RepairShowReply reply) {
        List<ConflictInfo> conflicts = reply.conflicts() == null ? List.of()
                : reply.conflicts().stream().filter(Objects::nonNull).toList();
        if (conflicts.isEmpty()) {
            return null;
        }
        boolean versionsOnly = conflicts.stream().allMatch(c -> "UPDATE_UPDATE".equals(c.kind())
                && (c.names() == null || c.names().isEmpty()));
        String trimmed = path.replaceAll("/+$", "");
        int slash = trimmed.lastIndexOf('/');
        if (versionsOnly || slash <= 0) {
            return "strand repair file " + trimmed + " --keep REPLICA";
        }
        return "strand repair dir " + trimmed.substring(0, slash) + " --keep " + trimmed.substring(slash + 1)
                + "=REPLICA [--rename-others]" + (reply.replicas().stream().anyMatch(r -> r.type()
                == dev.strand.protocol.message.FileType.DIRECTORY) ? " (a directory is kept or removed with"
                + " everything in it)" : "");
    }

    private static String volumeOf(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        int slash = p.indexOf('/');
        return slash < 0 ? p : p.substring(0, slash);
    }
}
