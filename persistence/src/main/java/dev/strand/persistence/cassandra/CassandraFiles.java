package dev.strand.persistence.cassandra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The configuration files and directories of a {@link LocalCassandra}, all under its data directory. */
final class CassandraFiles {

    /** The commit-log segment; Cassandra rejects mutations larger than half of it (32 MiB here). */
    static final int COMMITLOG_SEGMENT_MIB = 64;

    private CassandraFiles() {}

    static Path dataFiles(CassandraSettings s) {
        return s.dataDir().resolve("data");
    }

    static Path commitlog(CassandraSettings s) {
        return s.dataDir().resolve("commitlog");
    }

    static Path savedCaches(CassandraSettings s) {
        return s.dataDir().resolve("saved_caches");
    }

    static Path hints(CassandraSettings s) {
        return s.dataDir().resolve("hints");
    }

    static Path cdcRaw(CassandraSettings s) {
        return s.dataDir().resolve("cdc_raw");
    }

    static Path triggers(CassandraSettings s) {
        return s.dataDir().resolve("triggers");
    }

    /** Creates the directories and (re)writes cassandra.yaml and logback.xml; keeps existing data. */
    static void write(CassandraSettings s) {
        try {
            for (Path dir : List.of(s.confDir(), s.logDir(), dataFiles(s), commitlog(s), savedCaches(s),
                    hints(s), cdcRaw(s), triggers(s))) {
                Files.createDirectories(dir);
            }
            Files.writeString(s.yamlFile(), yaml(s));
            Files.writeString(s.logbackFile(), logbackXml(s));
            if (s.exitWithParent()) {
                writeWatchdog(s);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare Cassandra directory " + s.dataDir(), e);
        }
    }

    /** A classpath directory that holds only {@link ParentWatchdog}, for Cassandra's JVM. */
    static Path watchdogClasses(CassandraSettings s) {
        return s.confDir().resolve("watchdog");
    }

    private static void writeWatchdog(CassandraSettings s) throws IOException {
        String resource = ParentWatchdog.class.getSimpleName() + ".class";
        Path target = watchdogClasses(s).resolve(ParentWatchdog.class.getName().replace('.', '/') + ".class");
        Files.createDirectories(target.getParent());
        try (java.io.InputStream in = ParentWatchdog.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("no " + resource + " beside " + CassandraFiles.class.getName());
            }
            Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static String yaml(CassandraSettings s) {
        StringBuilder y = new StringBuilder();
        y.append("# Written by Strand's LocalCassandra on every start: edits here are overwritten.\n");
        y.append("cluster_name: ").append(quote(s.clusterName())).append('\n');
        // One node, one token: no vnode overhead, and restarts keep the same ring.
        y.append("num_tokens: 1\n");
        y.append("partitioner: org.apache.cassandra.dht.Murmur3Partitioner\n");
        y.append("endpoint_snitch: SimpleSnitch\n");
        y.append("seed_provider:\n");
        y.append("  - class_name: org.apache.cassandra.locator.SimpleSeedProvider\n");
        y.append("    parameters:\n");
        y.append("      - seeds: ").append(quote("127.0.0.1:" + s.storagePort())).append('\n');
        y.append("listen_address: 127.0.0.1\n");
        y.append("rpc_address: 127.0.0.1\n");
        y.append("storage_port: ").append(s.storagePort()).append('\n');
        y.append("native_transport_port: ").append(s.nativePort()).append('\n');
        y.append("start_native_transport: true\n");
        y.append("data_file_directories:\n");
        y.append("  - ").append(quote(dataFiles(s).toString())).append('\n');
        y.append("commitlog_directory: ").append(quote(commitlog(s).toString())).append('\n');
        y.append("saved_caches_directory: ").append(quote(savedCaches(s).toString())).append('\n');
        y.append("hints_directory: ").append(quote(hints(s).toString())).append('\n');
        y.append("cdc_raw_directory: ").append(quote(cdcRaw(s).toString())).append('\n');
        y.append("authenticator: AllowAllAuthenticator\n");
        y.append("authorizer: AllowAllAuthorizer\n");
        // Dropping or truncating a table must not leave a full copy of it behind on disk.
        y.append("auto_snapshot: false\n");
        y.append("commitlog_sync: ").append(s.commitlogSync().yamlValue()).append('\n');
        switch (s.commitlogSync()) {
            case PERIODIC -> y.append("commitlog_sync_period: ")
                    .append(s.commitlogWindow().toMillis()).append("ms\n");
            case GROUP -> y.append("commitlog_sync_group_window: ")
                    .append(s.commitlogWindow().toMillis()).append("ms\n");
            case BATCH -> { } // Cassandra refuses a period or window with batch
        }
        // Volume snapshots are single mutations: allow up to half a segment (32 MiB).
        y.append("commitlog_segment_size: ").append(COMMITLOG_SEGMENT_MIB).append("MiB\n");
        y.append("native_transport_max_frame_size: ").append(COMMITLOG_SEGMENT_MIB).append("MiB\n");
        return y.toString();
    }

    static String logbackXml(CassandraSettings s) {
        String log = xmlEscape(s.systemLog().toString());
        String rolled = xmlEscape(s.logDir().resolve("system.%i.log").toString());
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <!-- Written by Strand's LocalCassandra on every start: edits here are overwritten. -->
                <configuration scan="false">
                  <appender name="SYSTEMLOG" class="ch.qos.logback.core.rolling.RollingFileAppender">
                    <file>%1$s</file>
                    <rollingPolicy class="ch.qos.logback.core.rolling.FixedWindowRollingPolicy">
                      <fileNamePattern>%2$s</fileNamePattern>
                      <minIndex>1</minIndex>
                      <maxIndex>5</maxIndex>
                    </rollingPolicy>
                    <triggeringPolicy class="ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy">
                      <maxFileSize>20MB</maxFileSize>
                    </triggeringPolicy>
                    <encoder>
                      <pattern>%%-5level [%%thread] %%date{ISO8601} %%logger{36}: %%msg%%n</pattern>
                    </encoder>
                  </appender>
                  <!-- Quiet: warnings and errors, plus the lines that tell the version and when the node
                       is up or going down. -->
                  <logger name="org.apache.cassandra.service.StorageService" level="INFO"/>
                  <logger name="org.apache.cassandra.transport.Server" level="INFO"/>
                  <root level="WARN">
                    <appender-ref ref="SYSTEMLOG"/>
                  </root>
                </configuration>
                """.formatted(log, rolled);
    }

    /** A YAML single-quoted scalar: only the quote itself needs escaping (by doubling). */
    private static String quote(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private static String xmlEscape(String value) {
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
