package dev.strand.cli;

import dev.strand.protocol.error.InvalidArgumentException;
import dev.strand.protocol.error.NotFoundException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The plan file of {@code strand repair dir}, Coda's compare-dirs output made editable: comments showing each
 * replica's binding of every name in conflict, and one {@code keep NAME=REPLICA} line per name, which the user edits
 * and applies with {@code --plan}. A line {@code rename-others} asks to keep the other replicas' objects as
 * {@code NAME.conflict-r<replica>}. Names are written as they are; one with a line break (which a plan line cannot
 * hold) is left as a comment saying to use {@code --keep}.
 */
final class PlanFile {

    private static final String KEEP = "keep ";
    private static final String RENAME_OTHERS = "rename-others";

    private PlanFile() {}

    /** What a plan file chose. */
    record Choices(Map<String, Integer> keep, boolean renameOthers) {}

    static void write(Path file, RepairDirCommand.PlanView plan) {
        List<String> lines = new ArrayList<>();
        lines.add("# strand repair dir plan for " + plan.path());
        lines.add("# Edit the replica after each name, then apply: strand repair dir " + plan.path() + " --plan FILE");
        lines.add("# 'keep NAME=R': replica R's binding of NAME (its object, or nothing) becomes every replica's.");
        lines.add("# Uncomment 'rename-others' to keep the other replicas' objects as NAME.conflict-r<replica>.");
        lines.add("# " + RENAME_OTHERS);
        for (RepairDirCommand.NameView n : plan.names()) {
            lines.add("");
            lines.add("# '" + oneLine(n.name()) + "' (" + String.join(", ", n.kinds()) + "):");
            int suggested = -1;
            long newest = -1;
            for (RepairDirCommand.BindingView b : n.replicas()) {
                lines.add("#   replica " + b.index() + ": " + (b.fid() == null ? "nothing (" + oneLine(b.problem()) + ")"
                        : b.fid() + " " + b.type() + ", " + b.size() + " bytes, version " + b.versionVector()
                        + " (data " + b.dataVersion() + ")"));
                long sum = b.versionVector() == null ? -1 : b.versionVector().stream().mapToLong(Long::longValue).sum();
                if (b.available() && b.fid() != null && sum > newest) {
                    newest = sum;
                    suggested = b.index();
                }
            }
            if (n.name().indexOf('\n') >= 0 || n.name().indexOf('\r') >= 0) {
                lines.add("# this name holds a line break: repair it with --keep");
            } else {
                lines.add(KEEP + n.name() + "=" + Math.max(0, suggested));
            }
        }
        try {
            Files.write(file, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    static Choices read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new NotFoundException("no plan file " + file);
        } catch (IOException e) {
            throw new InvalidArgumentException("cannot read the plan " + file + ": " + e.getMessage());
        }
        Map<String, Integer> keep = new LinkedHashMap<>();
        boolean renameOthers = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            if (trimmed.equals(RENAME_OTHERS)) {
                renameOthers = true;
                continue;
            }
            int eq = line.lastIndexOf('=');
            if (!line.startsWith(KEEP) || eq <= KEEP.length()) {
                throw new InvalidArgumentException(file + " line " + (i + 1) + ": expected 'keep NAME=REPLICA' or '"
                        + RENAME_OTHERS + "', not: " + line);
            }
            String name = line.substring(KEEP.length(), eq); // as written: a name may hold spaces or '='
            int replica;
            try {
                replica = Integer.parseInt(line.substring(eq + 1).strip());
            } catch (NumberFormatException e) {
                throw new InvalidArgumentException(file + " line " + (i + 1) + ": the replica of '" + name
                        + "' is not a number: " + line.substring(eq + 1));
            }
            if (keep.put(name, replica) != null) {
                throw new InvalidArgumentException(file + " line " + (i + 1) + ": '" + name + "' is chosen twice");
            }
        }
        if (keep.isEmpty()) {
            throw new InvalidArgumentException(file + " keeps no name: nothing to repair");
        }
        return new Choices(keep, renameOthers);
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }
}
