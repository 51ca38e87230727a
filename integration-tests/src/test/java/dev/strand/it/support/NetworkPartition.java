package dev.strand.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Real network partitions between server processes that all listen on 127.0.0.1, for the multi-node tests.
 *
 * <p>Each member (a node process) runs in a cgroup v2 of its own, which it joins before it execs (so every socket
 * it ever opens belongs to that cgroup: the kernel records a socket's cgroup when the socket is created). A
 * {@link #cut} adds nftables rules, in a table of this instance's own in the output hook, that drop every packet
 * a socket of one side's cgroups sends to the other side's guarded port (a node's Pekko Artery port). Artery TCP
 * sends each direction over the connection its sender opened, so dropping by destination port silences both
 * directions. Nothing else is filtered: every member still reaches Cassandra, its clients reach it, and the test
 * process (outside these cgroups) reaches every port. Packets are dropped, not rejected, as on a real partition:
 * the peers learn nothing but silence.
 *
 * <p>Needs Linux, root, {@code nft} and cgroup v2 mounted under /sys/fs/cgroup (pure or hybrid hierarchy); see
 * {@link #unsupportedReason()}. The table and the cgroups are removed by {@link #close()}, by a JVM shutdown hook,
 * and, if a test JVM was killed before either ran, by the next {@link #open()} (they are named after the PID of the
 * JVM that made them).
 */
public final class NetworkPartition implements AutoCloseable {
    private static final String PREFIX = "strand_test_";
    private static final Pattern OURS = Pattern.compile(PREFIX + "(\\d+)_(\\d+)");
    /** Where nft resolves {@code socket cgroupv2} paths from (nftables' SYSFS_CGROUPSV2_PATH). */
    private static final Path NFT_CGROUP_BASE = Path.of("/sys/fs/cgroup");
    private static final long COMMAND_TIMEOUT_SECONDS = 10;
    private static final AtomicInteger instances = new AtomicInteger();

    private final String name;
    private final Path hierarchy;
    private final Path dir;
    private final Map<String, Integer> guardedPorts = new LinkedHashMap<>();
    private final Thread shutdownHook;
    private boolean closed;

    private NetworkPartition(Path hierarchy) {
        this.name = PREFIX + ProcessHandle.current().pid() + "_" + instances.incrementAndGet();
        this.hierarchy = hierarchy;
        this.dir = hierarchy.resolve(name);
        this.shutdownHook = new Thread(this::close, "network-partition-cleanup");
    }

    /** Why partitions cannot be made on this machine, or empty if they can. */
    public static Optional<String> unsupportedReason() {
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            return Optional.of("network partitions need Linux (nftables, cgroup v2)");
        }
        try {
            if (!"0".equals(run(List.of("id", "-u")).trim())) {
                return Optional.of("network partitions need root (nftables rules, cgroups)");
            }
            run(List.of("nft", "--version"));
        } catch (RuntimeException e) {
            return Optional.of("network partitions need `id` and `nft`: " + e.getMessage());
        }
        if (cgroup2Mount().isEmpty()) {
            return Optional.of("network partitions need a cgroup2 file system mounted under " + NFT_CGROUP_BASE);
        }
        return Optional.empty();
    }

    /** Removes what killed runs left behind, then makes this run's (empty) table and cgroup directory. */
    public static NetworkPartition open() {
        unsupportedReason().ifPresent(reason -> {
            throw new IllegalStateException(reason);
        });
        Path hierarchy = cgroup2Mount().orElseThrow();
        removeLeftovers(hierarchy);
        NetworkPartition partition = new NetworkPartition(hierarchy);
        try {
            Files.createDirectory(partition.dir);
            Runtime.getRuntime().addShutdownHook(partition.shutdownHook);
            nft("add table inet " + partition.name + "\n"
                    + "add chain inet " + partition.name
                    + " cut { type filter hook output priority 0; policy accept; }\n");
            return partition;
        } catch (IOException | RuntimeException e) {
            partition.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /**
     * Adds a member, whose process {@link #command wrapped} for it will run in a cgroup of its own, and whose
     * {@code guardedPort} (where the others reach it, e.g. its Artery port) a cut makes unreachable from the other
     * side. Its name must be a plain word.
     */
    public synchronized void addMember(String member, int guardedPort) {
        if (!member.matches("[A-Za-z0-9_-]{1,40}") || guardedPorts.containsKey(member)) {
            throw new IllegalArgumentException("bad or repeated member name: " + member);
        }
        try {
            Files.createDirectory(dir.resolve(member));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        guardedPorts.put(member, guardedPort);
    }

    /** {@code command}, run so that the process joins the member's cgroup before it execs (same PID). */
    public List<String> command(String member, List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of("sh", "-c", "echo $$ > \"$0\" && exec \"$@\"",
                cgroupOf(member).resolve("cgroup.procs").toString()));
        wrapped.addAll(command);
        return wrapped;
    }

    /**
     * Cuts every link between a member of {@code sideA} and a member of {@code sideB}, in both directions, until
     * {@link #heal()}. Links within a side, and to anything that is not a member, stay.
     */
    public synchronized void cut(Collection<String> sideA, Collection<String> sideB) {
        StringBuilder rules = new StringBuilder();
        for (String a : sideA) {
            for (String b : sideB) {
                if (a.equals(b)) {
                    throw new IllegalArgumentException(a + " is on both sides");
                }
                rules.append(dropRule(a, b)).append(dropRule(b, a));
            }
        }
        nft(rules.toString());
    }

    /** Removes every cut: all members reach each other again. */
    public synchronized void heal() {
        nft("flush chain inet " + name + " cut\n");
    }

    /** The rules that cut links now, as nft lists them (for a test's report). */
    public synchronized String rules() {
        return run(List.of("nft", "list", "chain", "inet", name, "cut"));
    }

    /**
     * Whether a fresh process in the member's cgroup can open a TCP connection to 127.0.0.1:{@code port} within
     * 2 s: what the member's own connections to it would find.
     */
    public boolean reachableFrom(String member, int port) {
        String procs = cgroupOf(member).resolve("cgroup.procs").toString();
        Process probe = start(List.of("timeout", "2", "bash", "-c",
                "echo $$ > \"$0\" && exec 3<>/dev/tcp/127.0.0.1/" + port, procs));
        try {
            if (!probe.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                probe.destroyForcibly();
                return false;
            }
            return probe.exitValue() == 0;
        } catch (InterruptedException e) {
            probe.destroyForcibly();
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Deletes the table and the cgroups (any process still in them moves to this JVM's cgroup). Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException | IllegalArgumentException alreadyShuttingDownOrNotAdded) {
                // the hook runs (or ran) this
            }
        }
        try {
            deleteTable(name);
        } finally {
            removeCgroupTree(hierarchy, dir);
        }
    }

    /** What partitions made by this machine's test runs are still in place (tables and cgroups), for checks. */
    public static List<String> leftovers() {
        List<String> found = new ArrayList<>();
        Matcher tables = OURS.matcher(run(List.of("nft", "list", "tables")));
        while (tables.find()) {
            found.add("nft table " + tables.group());
        }
        cgroup2Mount().ifPresent(hierarchy -> ourCgroups(hierarchy).forEach(d -> found.add("cgroup " + d)));
        return found;
    }

    private String dropRule(String from, String to) {
        Path cgroup = cgroupOf(from);
        int level = hierarchy.relativize(cgroup).getNameCount();
        return "add rule inet " + name + " cut socket cgroupv2 level " + level + " \""
                + NFT_CGROUP_BASE.relativize(cgroup) + "\" tcp dport " + guardedPort(to) + " drop\n";
    }

    private synchronized int guardedPort(String member) {
        Integer port = guardedPorts.get(member);
        if (port == null) {
            throw new IllegalArgumentException("no member " + member);
        }
        return port;
    }

    private Path cgroupOf(String member) {
        guardedPort(member);
        return dir.resolve(member);
    }

    private static void removeLeftovers(Path hierarchy) {
        Matcher tables = OURS.matcher(run(List.of("nft", "list", "tables")));
        List<String> stale = new ArrayList<>();
        while (tables.find()) {
            if (ProcessHandle.of(Long.parseLong(tables.group(1))).isEmpty()) {
                stale.add(tables.group());
            }
        }
        stale.forEach(NetworkPartition::deleteTable);
        for (Path cgroup : ourCgroups(hierarchy)) {
            Matcher m = OURS.matcher(cgroup.getFileName().toString());
            if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                removeCgroupTree(hierarchy, cgroup);
            }
        }
    }

    private static List<Path> ourCgroups(Path hierarchy) {
        try (Stream<Path> children = Files.list(hierarchy)) {
            return children.filter(p -> OURS.matcher(p.getFileName().toString()).matches()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTable(String table) {
        if (run(List.of("nft", "list", "tables")).contains("table inet " + table + "\n")) {
            nft("delete table inet " + table + "\n");
        }
    }

    /** Moves whatever still runs in the cgroups under {@code top} to this JVM's cgroup, then removes them. */
    private static void removeCgroupTree(Path hierarchy, Path top) {
        if (!Files.isDirectory(top)) {
            return;
        }
        Path home = hierarchy.resolve(ownCgroup());
        try (Stream<Path> tree = Files.walk(top, 1)) {
            for (Path cgroup : tree.filter(Files::isDirectory)
                    .sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                for (String pid : Files.readAllLines(cgroup.resolve("cgroup.procs"))) {
                    try {
                        Files.writeString(home.resolve("cgroup.procs"), pid.trim());
                    } catch (IOException exited) {
                        // the process ended meanwhile
                    }
                }
                Files.delete(cgroup); // rmdir: a cgroup's control files are not removed one by one
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the test cgroups under " + top, e);
        }
    }

    /** This JVM's cgroup v2 path, relative to the hierarchy's root ("0::/path" in /proc/self/cgroup). */
    private static String ownCgroup() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
                if (line.startsWith("0::")) {
                    return line.substring(3).replaceFirst("^/", "");
                }
            }
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The cgroup2 mount point under /sys/fs/cgroup (/sys/fs/cgroup itself, or /sys/fs/cgroup/unified). */
    private static Optional<Path> cgroup2Mount() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String[] fields = line.split(" ");
                if (fields.length > 2 && fields[2].equals("cgroup2")) {
                    Path mount = Path.of(fields[1]);
                    if (mount.startsWith(NFT_CGROUP_BASE)) {
                        return Optional.of(mount);
                    }
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static void nft(String script) {
        Process process = start(List.of("nft", "-f", "-"));
        try {
            process.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().close();
        } catch (IOException e) {
            process.destroyForcibly();
            throw new UncheckedIOException(e);
        }
        finish(process, "nft -f - <<" + script);
    }

    private static String run(List<String> command) {
        return finish(start(command), String.join(" ", command));
    }

    private static Process start(List<String> command) {
        try {
            return new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0), e);
        }
    }

    /** Waits (bounded) for a short command and answers its output; fails unless it exited with 0. */
    private static String finish(Process process, String what) {
        try {
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(what + ": no exit within " + COMMAND_TIMEOUT_SECONDS + " s");
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(what + ": exit " + process.exitValue() + ": " + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + ": interrupted", e);
        }
    }
}
