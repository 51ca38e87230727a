package dev.strand.ops.management;

import com.typesafe.config.ConfigFactory;
import dev.strand.metrics.StrandMetrics;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The management endpoint of a one-node actor system configured as the server configures it, but without
 * Cassandra (its check is left out here; ManagementIT runs it): /ready waits for every other readiness
 * condition, /metrics exports what the actors record.
 */
class NodeManagementTest {
    private ActorSystem<Void> system;
    private NodeManagement node;
    private ManagementProbe probe;

    @BeforeEach
    void start() {
        ManagementSettings settings = new ManagementSettings("127.0.0.1", 0);
        system = ActorSystem.create(Behaviors.empty(), "strand", ConfigFactory.load(settings.overrides()
                .withFallback(ConfigFactory.parseString("pekko.remote.artery.canonical.port = 0\n"
                        + "pekko.management.health-checks.readiness-checks.cassandra = \"\""))
                .withFallback(ConfigFactory.parseResourcesAnySyntax("application"))));
        node = NodeManagement.get(system);
        probe = new ManagementProbe("127.0.0.1", node.start());
    }

    @AfterEach
    void stop() {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().join();
    }

    @Test
    void readyOnlyOnceAMemberWhoseRegistryAnsweredAndWhoseClientPortListens() {
        assertThat(probe.readiness()).as("not a member yet, nothing started").isEqualTo(ManagementProbe.Readiness.NOT_READY);
        Cluster cluster = Cluster.get(system);
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        node.registryReady();
        await().atMost(Duration.ofSeconds(20)).until(() -> probe.membership().orElse("").contains("Up"));
        assertThat(probe.readiness()).as("the client port does not listen yet").isEqualTo(ManagementProbe.Readiness.NOT_READY);

        node.serving(true);
        await().atMost(Duration.ofSeconds(10)).until(() -> probe.readiness() == ManagementProbe.Readiness.READY);

        node.serving(false);
        assertThat(probe.readiness()).as("stopping").isEqualTo(ManagementProbe.Readiness.NOT_READY);
    }

    @Test
    void membershipAndSelfNodeComeFromClusterMembers() {
        Cluster cluster = Cluster.get(system);
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        String self = cluster.selfMember().address().host().get() + ":" + cluster.selfMember().address().port().get();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(probe.membership()).contains(self + " Up (unreachable: none)"));
        assertThat(probe.selfNode()).contains(self);
    }

    @Test
    void metricsExportWhatTheActorsRecordInPrometheusFormat() throws Exception {
        var connection = StrandMetrics.get(system).connectionOpened();
        connection.requestStarted(1);
        connection.requestFinished(1, dev.strand.protocol.Opcode.MKDIR.code(), false);
        StrandMetrics.get(system).replicaState(5, 0, "current");

        String metrics = probe.metrics();
        assertThat(metrics)
                .contains("strand_requests_seconds_count{opcode=\"MKDIR\",outcome=\"ok\"} 1")
                .contains("strand_connections_open 1")
                .contains("strand_replicas{state=\"current\"} 1")
                .contains("jvm_memory_used_bytes");
    }

    @Test
    void aliveAnswersWhileTheNodeStarts() throws Exception {
        java.net.http.HttpResponse<Void> alive = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + probe.address() + "/alive")).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding());
        assertThat(alive.statusCode()).isEqualTo(200);
    }
}
