package dev.strand.cli;

import dev.strand.client.BlockingStrandClient;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.ConflictInfo;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.ReplicaObjectInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code strand repair dir PATH [--keep NAME=REPLICA]... [--rename-others] [--json]}, or with a plan file the user
 * edits between two runs ({@code --write-plan FILE}, then {@code --plan FILE}), as Coda's compare-dirs and do-repair.
 */
@Command(name = "dir", mixinStandardHelpOptions = true,
        description = "Repair names of a directory in conflict (NAME_NAME, REMOVE_UPDATE, RENAME_RENAME, a file "
                + "changed on both sides and renamed on one). Without --keep: print, per name in conflict, what each "
                + "replica binds it to (fid, type, size, version), changing nothing. With --keep NAME=REPLICA: the "
                + "object replica REPLICA binds NAME to (or none) becomes every replica's; the others' objects bound "
                + "to NAME are removed, or kept as NAME.conflict-r<replica> with --rename-others. A directory is "
                + "kept, removed or renamed with everything in it. Where a name moved "
                + "(RENAME_RENAME) or into another directory, the names it moved to follow the same replica. Every "
                + "replica must be reachable, or nothing changes. --write-plan FILE writes the same as a plan to "
                + "edit, one 'keep NAME=REPLICA' line per name; --plan FILE applies it.")
public final class RepairDirCommand extends ClientCommand {
    @Parameters(paramLabel = "PATH", description = "/<volume>/<path> of the directory.")
    String path;

    @Option(names = "--keep", paramLabel = "NAME=REPLICA",
            description = "Keep replica REPLICA's binding of NAME (repeatable, one per name).")
    Map<String, Integer> keep = new LinkedHashMap<>();

    @Option(names = "--rename-others",
            description = "Keep the other replicas' objects as NAME.conflict-r<replica> instead of removing them.")
    boolean renameOthers;

    @Option(names = "--json", description = "Print the plan (or the repair) as JSON.")
    boolean json;

    @Option(names = "--write-plan", paramLabel = "FILE",
            description = "Write the plan to FILE for editing: per name, each replica's binding as comments and a "
                    + "'keep NAME=REPLICA' line (the replica suggested: the newest version). Changes nothing.")
    java.nio.file.Path writePlan;

    @Option(names = "--plan", paramLabel = "FILE",
            description = "Apply a plan written by --write-plan (and edited): its 'keep NAME=REPLICA' lines, and "
                    + "'rename-others' if it has that line.")
    java.nio.file.Path applyPlan;

    /** What {@code --json} prints without --keep. Field names are stable. */
    public record PlanView(String path, List<NameView> names) {}

    /** One name in conflict: the kinds of its conflicts and each replica's binding. */
    public record NameView(String name, List<String> kinds, List<BindingView> replicas) {}

    /** What one replica binds the name to ({@code fid} null and a {@code problem} where none). */
    public record BindingView(int index, boolean available, String fid, String type, long size, long dataVersion,
                              List<Long> versionVector, String problem) {}

    /** What {@code --json} prints with --keep. */
    public record RepairedView(String path, Map<String, Integer> kept, boolean renameOthers, String fid,
                               List<Long> versionVector) {}

    @Override
    protected int run(BlockingStrandClient client) {
        if (applyPlan != null && (!keep.isEmpty() || writePlan != null)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--plan cannot go with --keep or --write-plan");
        }
        return onPath(path, () -> {
            if (applyPlan != null) {
                PlanFile.Choices choices = PlanFile.read(applyPlan);
                keep.putAll(choices.keep());
                renameOthers |= choices.renameOthers();
            }
            if (!keep.isEmpty()) {
                Attr a = client.repairDir(path, keep, renameOthers);
                if (json) {
                    Json.print(out(), new RepairedView(path, keep, renameOthers, Formats.fid(a.fid()),
                            a.versionVector()));
                    return;
                }
                keep.forEach((name, replica) -> out().println("repaired " + name + " in " + path + ": replica "
                        + replica + "'s binding is every replica's" + (renameOthers
                        ? " (other objects kept as " + name + ".conflict-r<replica>)" : "")));
                out().println(path + " is at version " + a.versionVector() + " on every replica");
                return;
            }
            PlanView plan = plan(client);
            if (writePlan != null) {
                PlanFile.write(writePlan, plan);
                out().println("wrote the plan of " + plan.names().size() + " name(s) to " + writePlan
                        + "; edit it, then: strand repair dir " + path + " --plan " + writePlan);
                return;
            }
            if (json) {
                Json.print(out(), plan);
                return;
            }
            if (plan.names().isEmpty()) {
                out().println("no names in conflict in " + path);
                return;
            }
            for (NameView n : plan.names()) {
                out().println("'" + n.name() + "' (" + String.join(", ", n.kinds()) + "):");
                for (BindingView b : n.replicas()) {
                    out().println("  replica " + b.index() + ": " + (b.fid() == null ? "nothing (" + b.problem() + ")"
                            : b.fid() + " " + b.type() + ", " + b.size() + " bytes, version " + b.versionVector()
                            + " (data " + b.dataVersion() + ")"));
                }
            }
            out().println("repair with: strand repair dir " + path + " --keep NAME=REPLICA [--rename-others]");
        });
    }

    /** The names of the directory in conflict (from the volume's conflicts) and every replica's binding of each. */
    PlanView plan(BlockingStrandClient client) {
        Fid dir = client.stat(path).fid();
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        int slash = trimmed.indexOf('/');
        String volume = slash < 0 ? trimmed : trimmed.substring(0, slash);
        String inside = slash < 0 ? "" : trimmed.substring(slash).replaceAll("/+$", ""); // "" for the root
        Map<String, Set<String>> kinds = new LinkedHashMap<>();
        for (ConflictInfo c : client.repairList(volume)) {
            for (ConflictInfo.ConflictName n : c.names() == null ? List.<ConflictInfo.ConflictName>of() : c.names()) {
                if (dir.equals(n.dir())) {
                    kinds.computeIfAbsent(n.name(), k -> new LinkedHashSet<>()).add(c.kind());
                }
            }
            // an object removed on one side: its conflict names the object, its path says where
            boolean removed = "REMOVE_UPDATE".equals(c.kind()) && (c.names() == null || c.names().isEmpty());
            for (String p : removed && c.paths() != null ? c.paths() : List.<String>of()) {
                int last = p.lastIndexOf('/');
                if (last >= 0 && p.substring(0, last).equals(inside) && last < p.length() - 1) {
                    kinds.computeIfAbsent(p.substring(last + 1), k -> new LinkedHashSet<>()).add(c.kind());
                }
            }
        }
        List<NameView> names = new ArrayList<>();
        String base = path.endsWith("/") ? path : path + "/";
        kinds.forEach((name, k) -> {
            List<BindingView> bindings = new ArrayList<>();
            for (ReplicaObjectInfo r : client.repairShow(base + name).replicas()) {
                bindings.add(new BindingView(r.index(), r.available(), r.fid() == null ? null : Formats.fid(r.fid()),
                        r.type() == null ? null : r.type().name(), r.size(), r.dataVersion(), r.versionVector(),
                        r.problem()));
            }
            names.add(new NameView(name, List.copyOf(k), bindings));
        });
        return new PlanView(path, names);
    }
}
