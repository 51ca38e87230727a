package dev.strand.persistence.cassandra;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Finds a process that Strand started, by a PID it recorded, only while that PID still names it: a recorded PID
 * outlives its process, and the system may give the number to any other process. A process is recognised by one
 * argument of its command line that only it has (e.g. {@code -Dcassandra.storagedir=/its/data}); a zombie (dead,
 * not yet reaped by its parent) counts as gone.
 */
public final class ProcessIdentity {
    private static final Duration POLL = Duration.ofMillis(100);

    private ProcessIdentity() {}

    /** The live process {@code pid} if one of its arguments is exactly {@code marker}. */
    public static Optional<ProcessHandle> find(long pid, String marker) {
        if (pid <= 0 || !isRunning(pid)) {
            return Optional.empty();
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        return handle.isPresent() && arguments(pid).contains(marker) ? handle : Optional.empty();
    }

    /** Whether {@code pid} names a process that runs (a zombie does not). */
    public static boolean isRunning(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (Files.isDirectory(Path.of("/proc", "self"))) {
            try {
                String line = Files.readString(stat, StandardCharsets.UTF_8);
                // "pid (comm) S ...": the state follows the last ')', since comm may hold any character.
                String rest = line.substring(line.lastIndexOf(')') + 1).trim();
                return !rest.isEmpty() && rest.charAt(0) != 'Z' && rest.charAt(0) != 'X';
            } catch (IOException | RuntimeException gone) {
                return false;
            }
        }
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** The process's command line, program first; empty if it is gone or cannot be read. */
    public static List<String> arguments(long pid) {
        Path cmdline = Path.of("/proc", Long.toString(pid), "cmdline");
        if (Files.isDirectory(Path.of("/proc", "self"))) {
            try {
                String all = new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8);
                return all.isEmpty() ? List.of() : Arrays.asList(all.split("\0"));
            } catch (IOException gone) {
                return List.of();
            }
        }
        // Elsewhere the JDK reads what the system lets it (it may be cut short on some systems).
        return ProcessHandle.of(pid).flatMap(p -> {
            ProcessHandle.Info info = p.info();
            return info.command().map(command -> {
                List<String> args = new java.util.ArrayList<>(List.of(command));
                info.arguments().ifPresent(a -> args.addAll(List.of(a)));
                return List.copyOf(args);
            });
        }).orElse(List.of());
    }

    /**
     * SIGTERM, then SIGKILL if it still runs after {@code grace}. Returns whether it is gone (true unless even
     * SIGKILL did not end it within 10 s).
     */
    public static boolean stop(ProcessHandle process, Duration grace) {
        if (!isRunning(process.pid())) {
            return true;
        }
        process.destroy();
        if (awaitExit(process.pid(), grace)) {
            return true;
        }
        process.destroyForcibly();
        return awaitExit(process.pid(), Duration.ofSeconds(10));
    }

    /**
     * Waits until {@code pid} no longer runs. Polls: a process that is not this JVM's child sends no notice
     * (and {@link ProcessHandle#onExit()} would wait on an unreaped zombie forever).
     */
    public static boolean awaitExit(long pid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (isRunning(pid)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !isRunning(pid);
            }
        }
        return true;
    }

    /** The first number in a PID file, or empty if the file is missing or holds none. */
    public static Optional<Long> readPid(Path file) {
        try {
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            String[] fields = Files.readString(file).trim().split("\\s+");
            return Optional.of(Long.parseLong(fields[0]));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
