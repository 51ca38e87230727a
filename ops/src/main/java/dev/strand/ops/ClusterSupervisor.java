package dev.strand.ops;

import dev.strand.persistence.cassandra.LocalCassandra;
import dev.strand.persistence.cassandra.ProcessIdentity;
import picocli.CommandLine.Command;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code strand cluster supervise}: the small background process that {@code cluster up} (and {@code cluster
 * start}) leave running beside a local cluster, doing what a process supervisor does: every second it checks that
 * the cluster's Cassandra and each node run, and starts again what died (a crash, a kill, a node that exited
 * because the cluster had downed it), with a growing delay and a limit ({@link RestartPolicy}). It logs to
 * DIR/supervisor.log, records what it restarted in DIR/restarts.tsv (for {@code cluster status}) and exits when
 * {@code cluster down} stops it or the cluster's records are gone.
 */
@Command(name = "supervise", hidden = true, mixinStandardHelpOptions = true,
        description = "Run the cluster's supervisor in the foreground (`cluster up` starts it in the background).")
final class ClusterSupervisor implements Callable<Integer> {
    private static final Duration CHECK_EVERY = Duration.ofSeconds(1);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final String CASSANDRA = "cassandra";

    @picocli.CommandLine.Mixin
    ClusterDirectory place = new ClusterDirectory();

    /** Per supervised process ("cassandra", "node-1", ...): its policy and what was last seen. */
    private final Map<String, RestartPolicy> policies = new LinkedHashMap<>();
    private final Map<String, String> lastExit = new HashMap<>();
    /** The nodes this supervisor started: only their exit codes can be known. */
    private final Map<Integer, Process> children = new HashMap<>();
    /** Processes whose giving up is already in the log (said once, not every second). */
    private final java.util.Set<String> reportedGivingUp = new java.util.HashSet<>();

    @Override
    public Integer call() throws Exception {
        long self = ProcessHandle.current().pid();
        // Also written by whoever launched it, later: this one is there before the loop below first reads it.
        Files.writeString(place.supervisorPidFile(), self + "\n");
        say("supervising the cluster in " + place.home() + " (pid " + self + "; restart limit "
                + RestartPolicy.DEFAULT_LIMIT + " in " + RestartPolicy.DEFAULT_WINDOW.toMinutes() + " min)");
        while (ProcessIdentity.readPid(place.supervisorPidFile()).orElse(-1L) == self
                && Files.exists(place.nodesFile())) {
            try {
                place.locked(() -> {
                    check(Instant.now());
                    return null;
                });
                writeRestarts();
            } catch (IOException | RuntimeException e) {
                // A bad round (a file half-written by hand, a full disk) must not end the supervision.
                say("this round failed: " + e);
            }
            // Polling other processes' liveness: nothing notifies a process of a non-child's death.
            Thread.sleep(CHECK_EVERY.toMillis());
        }
        say("the cluster's records are gone (strand cluster down?): exiting");
        return 0;
    }

    /** One round: Cassandra first (no node starts without it), then each node. */
    private void check(Instant now) throws IOException {
        Optional<ClusterCassandra.Ports> ports = ClusterCassandra.recorded(place);
        boolean cassandraRuns = true;
        if (ports.isPresent()) {
            RestartPolicy policy = policies.computeIfAbsent(CASSANDRA, k -> RestartPolicy.defaults());
            cassandraRuns = ClusterCassandra.running(place).isPresent();
            if (cassandraRuns) {
                policy.running();
            } else if (policy.restartNow(now)) {
                say("Cassandra is not running: starting it again");
                policy.restarted(now);
                try {
                    ClusterCassandra.start(place, ports.get());
                    cassandraRuns = true;
                } catch (RuntimeException e) {
                    say("Cassandra did not start: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
                }
            } else if (policy.gaveUp()) {
                giveUpOnce(CASSANDRA, "Cassandra");
            }
        }
        for (NodeRecord node : place.nodes()) {
            String name = "node-" + node.node();
            RestartPolicy policy = policies.computeIfAbsent(name, k -> RestartPolicy.defaults());
            if (place.running(node)) {
                policy.running();
                continue;
            }
            Process child = children.remove(node.node());
            if (child != null && !child.isAlive()) {
                int code = child.exitValue();
                lastExit.put(name, Integer.toString(code));
                say("node " + node.node() + " (pid " + child.pid() + ") exited with code " + code
                        + (code == dev.strand.cli.ExitCodes.REMOVED_FROM_CLUSTER ? " (the cluster had removed it)" : ""));
            }
            if (!cassandraRuns) {
                continue; // it would only fail to reach its journal
            }
            if (policy.restartNow(now)) {
                say("node " + node.node() + " (pid " + node.pid() + ") is not running: starting it again");
                policy.restarted(now);
                children.put(node.node(), NodeProcesses.relaunch(place, node));
            } else if (policy.gaveUp()) {
                giveUpOnce(name, "node " + node.node());
            }
        }
    }

    private void giveUpOnce(String name, String what) {
        if (reportedGivingUp.add(name)) {
            say("gave up on " + what + ": restarted " + RestartPolicy.DEFAULT_LIMIT + " times in "
                    + RestartPolicy.DEFAULT_WINDOW.toMinutes() + " min; see its log, then `strand cluster start`");
        }
    }

    /** One line per supervised process: name, restarts, last restart, last exit code, state. */
    private void writeRestarts() throws IOException {
        List<String> lines = new ArrayList<>();
        policies.forEach((name, policy) -> {
            if (!policy.gaveUp()) {
                reportedGivingUp.remove(name);
            }
            lines.add(name + "\t" + policy.total() + "\t"
                    + policy.lastRestart().map(t -> t.truncatedTo(ChronoUnit.SECONDS).toString()).orElse("-") + "\t"
                    + lastExit.getOrDefault(name, "-") + "\t" + (policy.gaveUp() ? "gave-up" : "watching"));
        });
        Path temp = place.restartsFile().resolveSibling("restarts.tsv.tmp");
        Files.write(temp, lines);
        Files.move(temp, place.restartsFile(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static void say(String line) {
        System.out.println(Instant.now().truncatedTo(ChronoUnit.MILLIS) + " " + line);
        System.out.flush();
    }

    /** The argument on the supervisor's command line that tells it from any other process. */
    static String identity(ClusterDirectory place) {
        return "-Dstrand.cluster.supervisor=" + place.home();
    }

    static Optional<ProcessHandle> running(ClusterDirectory place) {
        return ProcessIdentity.readPid(place.supervisorPidFile()).flatMap(pid -> ProcessIdentity.find(pid, identity(place)));
    }

    /** Starts the supervisor in the background; it outlives this command. */
    static void launch(ClusterDirectory place) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // Small: it only watches processes (and starts Cassandra, a process of its own).
                "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), identity(place)));
        for (String property : List.of(LocalCassandra.LIB_PROPERTY, LocalCassandra.JAVA_HOME_PROPERTY)) {
            String value = System.getProperty(property);
            if (value != null) {
                command.add("-D" + property + "=" + value);
            }
        }
        command.addAll(List.of(StrandMain.class.getName(), "cluster", "supervise", "--dir", place.home().toString()));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(place.supervisorLog().toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        Files.writeString(place.supervisorPidFile(), process.pid() + "\n");
        System.out.println("started the supervisor (pid " + process.pid() + ", log " + place.supervisorLog() + ")");
    }

    static void stop(ClusterDirectory place) {
        ProcessIdentity.readPid(place.supervisorPidFile()).ifPresent(pid ->
                ClusterDown.stop("the supervisor", pid, identity(place), STOP_GRACE));
        ClusterDirectory.deleteQuietly(place.supervisorPidFile());
    }

    /** For `cluster status`: whether the supervisor runs, and what it restarted. */
    static void printStatus(ClusterDirectory place) {
        Optional<ProcessHandle> supervisor = running(place);
        System.out.println("Supervisor: " + supervisor.map(p -> "pid " + p.pid() + " (running)")
                .orElse("not running (`strand cluster start` starts it)"));
        try {
            if (!Files.exists(place.restartsFile())) {
                return;
            }
            for (String line : Files.readAllLines(place.restartsFile(), StandardCharsets.UTF_8)) {
                String[] f = line.split("\t");
                if (f.length == 5 && (!f[1].equals("0") || f[4].equals("gave-up"))) {
                    System.out.println("  " + f[0] + ": restarted " + f[1] + " time" + (f[1].equals("1") ? "" : "s")
                            + " (last at " + f[2] + (f[3].equals("-") ? "" : ", after exit code " + f[3]) + ")"
                            + (f[4].equals("gave-up") ? "; the supervisor gave up on it" : ""));
                }
            }
        } catch (IOException e) {
            System.out.println("  (cannot read " + place.restartsFile() + ": " + e.getMessage() + ")");
        }
    }
}
