package dev.strand.it.server;

import dev.strand.it.support.PackagedServer;
import dev.strand.it.support.SharedCassandra;
import dev.strand.ops.management.ManagementProbe;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A Strand server in a separate JVM (the way users run it), on the shared Cassandra, so that a test can kill it
 * with SIGKILL and start it again on the same keyspace and port.
 */
public final class StrandProcess implements AutoCloseable {
    private final String keyspace;
    private final int port;
    private final int managementPort;
    private final Path log;
    /** How it reaches Cassandra: the shared one, or one of its own ({@link #embedded}). */
    private final List<String> cassandraArgs;
    private final int readySeconds;
    private Process process;

    public StrandProcess(String keyspace) {
        this(keyspace, null, List.of("--cassandra", SharedCassandra.host() + ":" + SharedCassandra.port()), 90);
    }

    private StrandProcess(String keyspace, String logName, List<String> cassandraArgs, int readySeconds) {
        this.keyspace = keyspace;
        this.port = freePort();
        this.managementPort = freePort();
        this.log = Path.of("target", "strand-process-" + (logName != null ? logName : keyspace) + ".log");
        this.cassandraArgs = cassandraArgs;
        this.readySeconds = readySeconds;
    }

    /**
     * A server that starts its own Cassandra, as plain `strand server` does (data under {@code dataDir}, heap
     * 512 MiB), on the given ports; its first start may take a few minutes on a busy machine.
     */
    public static StrandProcess embedded(Path dataDir, int cassandraPort, int cassandraStoragePort) {
        return new StrandProcess("strand", "embedded", List.of("--data", dataDir.toString(),
                "--cassandra-port", String.valueOf(cassandraPort),
                "--cassandra-storage-port", String.valueOf(cassandraStoragePort)), 240);
    }

    public int port() {
        return port;
    }

    public String address() {
        return "127.0.0.1:" + port;
    }

    /** The server's management endpoint (/ready, /metrics, /cluster/members). */
    public ManagementProbe management() {
        return new ManagementProbe("127.0.0.1", managementPort);
    }

    /** Starts the server and returns once its /ready answers 200 (at most 90 s; 240 s for an embedded one). */
    public void start() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("-Dstrand.cassandra.heap=512m");
        String cassandraLib = System.getProperty("strand.cassandra.lib");
        if (cassandraLib != null) {
            command.add("-Dstrand.cassandra.lib=" + cassandraLib);
        }
        command.add("-cp");
        command.add(PackagedServer.classPath());
        command.add("dev.strand.ops.StrandMain");
        command.addAll(List.of("server", "--port", String.valueOf(port),
                "--management-port", String.valueOf(managementPort), "--keyspace", keyspace));
        command.addAll(cassandraArgs);
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread pump = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    Files.writeString(log, line + "\n", StandardCharsets.UTF_8,
                            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                }
            } catch (IOException ignored) {
                // the process went away
            }
        }, "strand-process-output");
        pump.setDaemon(true);
        pump.start();
        ManagementProbe probe = management();
        try {
            await("server ready (see " + log.toAbsolutePath() + ")").atMost(Duration.ofSeconds(readySeconds))
                    .pollInterval(Duration.ofMillis(200)).until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("Strand server process exited before it was ready; see "
                                    + log.toAbsolutePath());
                        }
                        return probe.readiness() == ManagementProbe.Readiness.READY;
                    });
        } catch (RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed by the server. */
    public void kill() {
        process.destroyForcibly();
        waitFor();
    }

    /** SIGTERM: the orderly stop that Ctrl-C gives. */
    public void stop() {
        process.destroy();
        waitFor();
    }

    private void waitFor() {
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        if (isAlive()) {
            kill();
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
