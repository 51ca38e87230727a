package dev.strand.persistence.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CassandraFilesTest {

    @TempDir
    Path dir;

    private CassandraSettings.Builder settings() {
        return CassandraSettings.builder(dir.resolve("node"))
                .libDir(dir.resolve("lib"))
                .javaHome(dir.resolve("jdk"))
                .nativePort(29042)
                .storagePort(27000);
    }

    private static JsonNode parse(String yaml) throws Exception {
        return new YAMLMapper().readTree(yaml);
    }

    @Test
    void nodeIsASingleLocalSeedOnTheConfiguredPorts() throws Exception {
        JsonNode yaml = parse(CassandraFiles.yaml(settings().build()));

        assertThat(yaml.get("cluster_name").asText()).isEqualTo("strand");
        assertThat(yaml.get("num_tokens").asInt()).isEqualTo(1);
        assertThat(yaml.get("partitioner").asText()).isEqualTo("org.apache.cassandra.dht.Murmur3Partitioner");
        assertThat(yaml.get("endpoint_snitch").asText()).isEqualTo("SimpleSnitch");
        assertThat(yaml.at("/seed_provider/0/parameters/0/seeds").asText()).isEqualTo("127.0.0.1:27000");
        assertThat(yaml.get("listen_address").asText()).isEqualTo("127.0.0.1");
        assertThat(yaml.get("rpc_address").asText()).isEqualTo("127.0.0.1");
        assertThat(yaml.get("storage_port").asInt()).isEqualTo(27000);
        assertThat(yaml.get("native_transport_port").asInt()).isEqualTo(29042);
        assertThat(yaml.get("start_native_transport").asBoolean()).isTrue();
    }

    @Test
    void everyDirectoryIsUnderTheDataDirectory() throws Exception {
        CassandraSettings s = settings().build();
        JsonNode yaml = parse(CassandraFiles.yaml(s));

        assertThat(yaml.at("/data_file_directories/0").asText()).isEqualTo(s.dataDir().resolve("data").toString());
        assertThat(yaml.get("commitlog_directory").asText()).isEqualTo(s.dataDir().resolve("commitlog").toString());
        assertThat(yaml.get("saved_caches_directory").asText())
                .isEqualTo(s.dataDir().resolve("saved_caches").toString());
        assertThat(yaml.get("hints_directory").asText()).isEqualTo(s.dataDir().resolve("hints").toString());
        assertThat(yaml.get("cdc_raw_directory").asText()).isEqualTo(s.dataDir().resolve("cdc_raw").toString());
    }

    @Test
    void localNodeNeedsNoLoginAndKeepsNoSnapshotsOfDroppedTables() throws Exception {
        JsonNode yaml = parse(CassandraFiles.yaml(settings().build()));

        assertThat(yaml.get("authenticator").asText()).isEqualTo("AllowAllAuthenticator");
        assertThat(yaml.get("authorizer").asText()).isEqualTo("AllowAllAuthorizer");
        assertThat(yaml.get("auto_snapshot").asBoolean()).isFalse();
    }

    @Test
    void byDefaultAWriteIsAcknowledgedOnlyAfterTheCommitLogIsSynced() throws Exception {
        CassandraSettings s = settings().build();
        JsonNode yaml = parse(CassandraFiles.yaml(s));

        assertThat(s.commitlogSync().crashDurable()).isTrue();
        assertThat(yaml.get("commitlog_sync").asText()).isEqualTo("batch");
        // Cassandra refuses to start on a period or window in batch mode.
        assertThat(yaml.has("commitlog_sync_period")).isFalse();
        assertThat(yaml.has("commitlog_sync_group_window")).isFalse();
    }

    @Test
    void groupSyncWritesItsWindow() throws Exception {
        JsonNode yaml = parse(CassandraFiles.yaml(
                settings().commitlogSync(CommitlogSync.GROUP, Duration.ofMillis(3)).build()));

        assertThat(yaml.get("commitlog_sync").asText()).isEqualTo("group");
        assertThat(yaml.get("commitlog_sync_group_window").asText()).isEqualTo("3ms");
        assertThat(yaml.has("commitlog_sync_period")).isFalse();
    }

    @Test
    void periodicSyncWritesItsPeriod() throws Exception {
        JsonNode yaml = parse(CassandraFiles.yaml(settings().commitlogSync(CommitlogSync.PERIODIC).build()));

        assertThat(yaml.get("commitlog_sync").asText()).isEqualTo("periodic");
        assertThat(yaml.get("commitlog_sync_period").asText()).isEqualTo("10000ms");
    }

    @Test
    void commitLogSegmentsAllowMutationsOf32MiB() throws Exception {
        JsonNode yaml = parse(CassandraFiles.yaml(settings().build()));

        assertThat(yaml.get("commitlog_segment_size").asText()).isEqualTo("64MiB");
    }

    @Test
    void pathsWithQuotesStayValidYaml() throws Exception {
        CassandraSettings s = settings().build().withDataDir(dir.resolve("it's here"));

        JsonNode yaml = parse(CassandraFiles.yaml(s));

        assertThat(yaml.get("commitlog_directory").asText()).isEqualTo(s.dataDir().resolve("commitlog").toString());
    }

    @Test
    void cassandraLogsIntoTheLogsDirectory() {
        CassandraSettings s = settings().build();

        String logback = CassandraFiles.logbackXml(s);

        assertThat(logback).contains("<file>" + s.dataDir().resolve("logs").resolve("system.log") + "</file>");
        assertThat(logback).doesNotContain("ConsoleAppender");
        assertThat(logback).contains("<root level=\"WARN\">");
    }

    @Test
    void writingTheConfigurationKeepsExistingData() throws Exception {
        CassandraSettings s = settings().build();
        Path sstable = s.dataDir().resolve("data").resolve("strand").resolve("nb-1-big-Data.db");
        Files.createDirectories(sstable.getParent());
        Files.writeString(sstable, "precious");

        CassandraFiles.write(s);

        assertThat(sstable).hasContent("precious");
        assertThat(s.yamlFile()).exists();
        assertThat(s.logbackFile()).exists();
        for (String sub : new String[] {"commitlog", "saved_caches", "hints", "cdc_raw", "logs"}) {
            assertThat(s.dataDir().resolve(sub)).isDirectory();
        }
    }
}
