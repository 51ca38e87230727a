package dev.strand.ops;

import com.typesafe.config.ConfigFactory;
import dev.strand.ops.StrandServer.ServerSettings;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterSettingsTest {

    @Test
    void seedNodesAreACommaListOfHostAndPort() {
        assertThat(ServerSettings.parseSeedNodes(" strand1:25520, strand2:25520 ,,"))
                .containsExactly("strand1:25520", "strand2:25520");
        assertThat(ServerSettings.parseSeedNodes("")).isEmpty();
        assertThatThrownBy(() -> ServerSettings.parseSeedNodes("strand1")).hasMessageContaining("host:port");
        assertThatThrownBy(() -> ServerSettings.parseSeedNodes("strand1:http")).hasMessageContaining("strand1:http");
    }

    @Test
    void configTakesSeedNodesAsAListOrAsOneString() {
        ServerSettings fromList = ServerSettings.fromConfig(ConfigFactory.parseString(
                "strand.cluster.seed-nodes = [\"a:1\", \"b:2\"]").withFallback(ConfigFactory.load()));
        ServerSettings fromString = ServerSettings.fromConfig(ConfigFactory.parseString(
                "strand.cluster.seed-nodes = \"a:1,b:2\"").withFallback(ConfigFactory.load()));
        // $STRAND_SEED_NODES, when set, wins over both; the build does not set it.
        if (System.getenv(StrandServer.SEED_NODES_ENV) == null) {
            assertThat(fromList.seedNodes()).containsExactly("a:1", "b:2");
            assertThat(fromString.seedNodes()).containsExactly("a:1", "b:2");
            assertThat(ServerSettings.defaults().seedNodes()).as("a single node joins itself by default").isEmpty();
        }
    }

    @Test
    void theNodeIsNamedByItsClusterEndpointWhichTheActorSystemUses() {
        ServerSettings settings = ServerSettings.defaults().withCluster("10.0.0.7", 25521, List.of("10.0.0.6:25520"));
        assertThat(settings.serverId()).isEqualTo("10.0.0.7:25521");
        var config = settings.overrides("127.0.0.1", 9042);
        assertThat(config.getString("pekko.remote.artery.canonical.hostname")).isEqualTo("10.0.0.7");
        assertThat(config.getInt("pekko.remote.artery.canonical.port")).isEqualTo(25521);
    }
}
