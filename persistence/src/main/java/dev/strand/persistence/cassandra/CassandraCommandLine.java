package dev.strand.persistence.cassandra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The {@code java} command that runs Cassandra 5.0 on Java 17. The flags follow Cassandra's own
 * conf/jvm-server.options, conf/jvm17-server.options and conf/cassandra-env.sh, minus what a local
 * single node does not want (JMX, GC logs, heap pre-touch).
 */
final class CassandraCommandLine {

    static final String MAIN_CLASS = "org.apache.cassandra.service.CassandraDaemon";

    /** Module access Cassandra 5.0 needs on Java 17 (from jvm17-server.options). */
    private static final List<String> ADD_EXPORTS = List.of(
            "java.base/jdk.internal.misc",
            "java.base/java.lang.ref",
            "java.management.rmi/com.sun.jmx.remote.internal.rmi",
            "java.rmi/sun.rmi.registry",
            "java.rmi/sun.rmi.server",
            "java.sql/java.sql",
            "jdk.unsupported/sun.misc",
            "jdk.compiler/com.sun.tools.javac.file",
            "jdk.attach/sun.tools.attach");

    private static final List<String> ADD_OPENS = List.of(
            "java.base/java.lang.module",
            "java.base/jdk.internal.loader",
            "java.base/jdk.internal.ref",
            "java.base/jdk.internal.reflect",
            "java.base/jdk.internal.math",
            "java.base/jdk.internal.module",
            "java.base/jdk.internal.util.jar",
            "jdk.management/com.sun.management.internal",
            "java.base/sun.nio.ch",
            "java.base/java.io",
            "java.base/java.lang.reflect",
            "jdk.compiler/com.sun.tools.javac",
            "java.base/java.lang",
            "java.base/java.util");

    private CassandraCommandLine() {}

    static List<String> command(CassandraSettings s) {
        List<String> cmd = new ArrayList<>();
        cmd.add(s.javaHome().resolve("bin").resolve("java").toString());

        // Heap: fixed, or Cassandra sizes itself to a quarter of the machine.
        cmd.add("-Xms" + s.heapMiB() + "m");
        cmd.add("-Xmx" + s.heapMiB() + "m");
        cmd.add("-Xss256k");

        // GC, as in jvm17-server.options.
        cmd.add("-XX:+UseG1GC");
        cmd.add("-XX:+ParallelRefProcEnabled");
        cmd.add("-XX:MaxTenuringThreshold=1");
        cmd.add("-XX:G1HeapRegionSize=16m");
        cmd.add("-XX:G1RSetUpdatingPauseTimePercent=5");
        cmd.add("-XX:MaxGCPauseMillis=300");
        cmd.add("-XX:InitiatingHeapOccupancyPercent=70");

        // General settings from jvm-server.options.
        cmd.add("-ea");
        cmd.add("-da:net.openhft...");
        cmd.add("-XX:+UseThreadPriorities");
        cmd.add("-XX:+UseTLAB");
        cmd.add("-XX:+ResizeTLAB");
        cmd.add("-XX:+PerfDisableSharedMem");
        cmd.add("-XX:+ExitOnOutOfMemoryError");
        cmd.add("-Djava.net.preferIPv4Stack=true");

        // JPMS, from jvm17-server.options.
        cmd.add("-Djdk.attach.allowAttachSelf=true");
        for (String export : ADD_EXPORTS) {
            cmd.add("--add-exports");
            cmd.add(export + "=ALL-UNNAMED");
        }
        for (String open : ADD_OPENS) {
            cmd.add("--add-opens");
            cmd.add(open + "=ALL-UNNAMED");
        }

        // Netty, from jvm17-server.options.
        cmd.add("-Dio.netty.tryReflectionSetAccessible=true");
        cmd.add("-Dio.netty.allocator.useCacheForAllThreads=true");
        cmd.add("-Dio.netty.allocator.maxOrder=11");

        // Object size measurement for memtables, from cassandra-env.sh.
        cmd.add("-javaagent:" + jammJar(s.libDir()));

        // Where everything is. No cassandra.jmx.*.port property: JMX stays off.
        cmd.add("-Dcassandra-foreground=yes");
        cmd.add("-Dcassandra.config=" + s.yamlFile().toUri());
        cmd.add(s.identityArgument());
        cmd.add("-Dcassandra.logdir=" + s.logDir());
        cmd.add("-Dcassandra.triggers_dir=" + CassandraFiles.triggers(s));
        cmd.add("-Dlogback.configurationFile=" + s.logbackFile().toUri());
        // A single node that is its own seed has no gossip to wait for (saves ~5 s per start).
        cmd.add("-Dcassandra.skip_wait_for_gossip_to_settle=0");

        cmd.add("-cp");
        if (s.exitWithParent()) {
            // Cassandra's jars first: the watchdog's directory holds that one class and nothing to shadow them.
            cmd.add(s.libDir().resolve("*") + java.io.File.pathSeparator + CassandraFiles.watchdogClasses(s));
            cmd.add(ParentWatchdog.class.getName());
            cmd.add(Long.toString(ProcessHandle.current().pid()));
        } else {
            cmd.add(s.libDir().resolve("*").toString());
        }
        cmd.add(MAIN_CLASS);
        return List.copyOf(cmd);
    }

    /** The jamm agent jar in the lib dir (jamm-0.4.0.jar for Cassandra 5.0). */
    static Path jammJar(Path libDir) {
        try (Stream<Path> files = Files.list(libDir)) {
            return files.filter(p -> {
                        String name = p.getFileName().toString();
                        return name.startsWith("jamm-") && name.endsWith(".jar");
                    })
                    .sorted()
                    .reduce((first, second) -> second)
                    .orElseThrow(() -> new IllegalStateException(
                            "no jamm-*.jar in " + libDir + "; is it a Cassandra lib directory?"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + libDir, e);
        }
    }
}
