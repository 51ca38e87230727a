package dev.strand.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

class StrandPersistenceConfTest {

    private static Config load(String applicationConf) {
        return ConfigFactory.parseString(applicationConf)
                .withFallback(ConfigFactory.defaultReference())
                .resolve();
    }

    @Test
    void journalIsTheCassandraPluginAndSnapshotsGoInPiecesToTheSnapshotKeyspace() {
        Config config = load("include \"strand-persistence.conf\"\n"
                + "pekko.persistence.cassandra.snapshot.keyspace = deploy_snapshot");

        assertThat(config.getString("pekko.persistence.journal.plugin"))
                .isEqualTo("pekko.persistence.cassandra.journal");
        assertThat(config.getString("pekko.persistence.snapshot-store.plugin")).isEqualTo("strand.snapshot-store");
        assertThat(config.getString("strand.snapshot-store.class"))
                .isEqualTo("dev.strand.persistence.snapshot.PiecedSnapshotStore");
        assertThat(config.getString("strand.snapshot-store.keyspace")).isEqualTo("deploy_snapshot");
        assertThat(config.getBytes("strand.snapshot-store.piece-size")).isEqualTo(1L << 20);
    }

    @Test
    void pluginCreatesItsOwnKeyspacesAndTables() {
        Config config = load("include \"strand-persistence.conf\"");

        assertThat(config.getString("pekko.persistence.cassandra.journal.keyspace")).isEqualTo("strand_journal");
        assertThat(config.getString("pekko.persistence.cassandra.snapshot.keyspace")).isEqualTo("strand_snapshot");
        for (String plugin : new String[] {"journal", "snapshot"}) {
            Config settings = config.getConfig("pekko.persistence.cassandra." + plugin);
            assertThat(settings.getBoolean("keyspace-autocreate")).isTrue();
            assertThat(settings.getBoolean("tables-autocreate")).isTrue();
            assertThat(settings.getInt("replication-factor")).isEqualTo(1);
        }
    }

    @Test
    void driverConnectsToTheDefaultLocalCassandra() {
        Config config = load("include \"strand-persistence.conf\"");

        assertThat(config.getStringList("datastax-java-driver.basic.contact-points"))
                .containsExactly("127.0.0.1:19042");
        assertThat(config.getString("datastax-java-driver.basic.load-balancing-policy.local-datacenter"))
                .isEqualTo("datacenter1");
    }

    @Test
    void overridingStrandCassandraPortAfterTheIncludeMovesTheDriver() {
        Config config = load("include \"strand-persistence.conf\"\n"
                + "strand.cassandra { host = \"10.0.0.5\", port = 29042 }");

        assertThat(config.getStringList("datastax-java-driver.basic.contact-points"))
                .containsExactly("10.0.0.5:29042");
    }
}
