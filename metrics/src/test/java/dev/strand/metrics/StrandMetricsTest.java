package dev.strand.metrics;

import dev.strand.protocol.Opcode;
import dev.strand.protocol.ProtocolLimits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class StrandMetricsTest {
    private final StrandMetrics metrics = new StrandMetrics();
    private final SimpleMeterRegistry exported = new SimpleMeterRegistry();

    StrandMetricsTest() {
        metrics.registry().add(exported);
    }

    private long requests(String opcode, String outcome) {
        var timer = exported.find("strand.requests").tag("opcode", opcode).tag("outcome", outcome).timer();
        return timer == null ? 0 : timer.count();
    }

    private double gauge(String name, String... tags) {
        return exported.get(name).tags(tags).gauge().value();
    }

    private double counter(String name, String... tags) {
        var counter = exported.find(name).tags(tags).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void requestsAreCountedAndTimedByOpcodeAndOutcome() {
        ConnectionMetrics connection = metrics.connectionOpened();
        connection.requestStarted(1);
        connection.requestStarted(2);
        connection.requestStarted(3);
        connection.requestFinished(1, Opcode.CREATE.code(), false);
        connection.requestFinished(2, Opcode.CREATE.code(), true);
        connection.requestFinished(3, 999, true);

        assertThat(requests("CREATE", "ok")).isEqualTo(1);
        assertThat(requests("CREATE", "error")).isEqualTo(1);
        assertThat(requests("UNKNOWN", "error")).as("an opcode outside the protocol gets one fixed tag").isEqualTo(1);
        assertThat(exported.get("strand.requests").tag("opcode", "CREATE").tag("outcome", "ok").timer()
                .totalTime(java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();
    }

    @Test
    void anAnswerToARequestNeverStartedIsNotCounted() {
        ConnectionMetrics connection = metrics.connectionOpened();
        connection.requestStarted(1);
        connection.requestFinished(1, Opcode.PING.code(), false);
        connection.requestFinished(1, Opcode.PING.code(), false);
        assertThat(requests("PING", "ok")).isEqualTo(1);
    }

    @Test
    void aConnectionHoldsAtMostTheInFlightLimitOfStartTimes() {
        ConnectionMetrics connection = metrics.connectionOpened();
        for (long id = 0; id < ProtocolLimits.MAX_REQUESTS_IN_FLIGHT + 10; id++) {
            connection.requestStarted(id);
        }
        for (long id = 0; id < ProtocolLimits.MAX_REQUESTS_IN_FLIGHT + 10; id++) {
            connection.requestFinished(id, Opcode.GET_ATTR.code(), false);
        }
        assertThat(requests("GET_ATTR", "ok")).isEqualTo(ProtocolLimits.MAX_REQUESTS_IN_FLIGHT);
    }

    @Test
    void openConnectionsCountsThoseNotClosedOnce() {
        ConnectionMetrics first = metrics.connectionOpened();
        metrics.connectionOpened();
        first.closed();
        first.closed();
        assertThat(gauge("strand.connections.open")).isEqualTo(1);
        assertThat(counter("strand.connections.accepted")).isEqualTo(2);
    }

    @Test
    void meterRegisteredBeforeTheExportingRegistryIsAddedAreExportedToo() {
        StrandMetrics early = new StrandMetrics();
        early.connectionOpened().requestStarted(7);
        early.cop1(StrandMetrics.Cop1Outcome.COMMITTED);
        SimpleMeterRegistry late = new SimpleMeterRegistry();
        early.registry().add(late);
        early.cop1(StrandMetrics.Cop1Outcome.COMMITTED);
        assertThat(late.get("strand.connections.open").gauge().value()).isEqualTo(1);
        assertThat(late.get("strand.cop1.operations").tag("outcome", "committed").counter().count()).isEqualTo(1);
    }

    @Test
    void replicaStatesAreCountedByStateAndCatchUpsFromTheirTransitions() {
        metrics.replicaState(1, 0, "current");
        metrics.replicaState(1, 1, "behind");
        metrics.replicaState(2, 0, "current");
        assertThat(gauge("strand.replicas", "state", "current")).isEqualTo(2);
        assertThat(gauge("strand.replicas", "state", "behind")).isEqualTo(1);

        metrics.replicaState(1, 1, "catching-up");
        metrics.replicaState(1, 1, "catching-up");
        metrics.replicaState(1, 1, "behind"); // that round failed
        metrics.replicaState(1, 1, "catching-up");
        metrics.replicaState(1, 1, "current");
        assertThat(counter("strand.catchups", "outcome", "started")).isEqualTo(2);
        assertThat(counter("strand.catchups", "outcome", "failed")).isEqualTo(1);
        assertThat(counter("strand.catchups", "outcome", "completed")).isEqualTo(1);
        assertThat(gauge("strand.replicas", "state", "current")).isEqualTo(3);
        assertThat(gauge("strand.replicas", "state", "catching-up")).isZero();
    }

    @Test
    void aStoppedCoordinatorsReplicasLeaveTheCounts() {
        metrics.replicaState(1, 0, "current");
        metrics.replicaState(1, 1, "diverged");
        metrics.replicaState(2, 0, "current");
        metrics.coordinatorStopped(1);
        assertThat(gauge("strand.replicas", "state", "current")).isEqualTo(1);
        assertThat(gauge("strand.replicas", "state", "diverged")).isZero();
    }

    @Test
    void anUnknownStateCountsAsOtherSoTheTagValuesStayFixed() {
        metrics.replicaState(1, 0, "resolving, say");
        assertThat(gauge("strand.replicas", "state", "other")).isEqualTo(1);
        assertThat(exported.find("strand.replicas").gauges()).hasSize(StrandMetrics.ReplicaState.values().length);
    }

    @Test
    void pendingCop2IsTheSumOverTheReplicasStillRunning() {
        metrics.pendingCop2("1.0", 3);
        metrics.pendingCop2("2.1", 4);
        metrics.pendingCop2("1.0", 1);
        assertThat(gauge("strand.cop2.pending")).isEqualTo(5);
        metrics.replicaStopped("2.1");
        assertThat(gauge("strand.cop2.pending")).isEqualTo(1);
    }

    @Test
    void cop1OutcomesCop2UpdateSetsAndJournalWritesAreCounted() {
        metrics.cop1(StrandMetrics.Cop1Outcome.COMMITTED);
        metrics.cop1(StrandMetrics.Cop1Outcome.UNAVAILABLE);
        metrics.cop1(StrandMetrics.Cop1Outcome.UNAVAILABLE);
        metrics.cop2UpdateSet();
        metrics.persisted(metrics.persistStarted());
        assertThat(counter("strand.cop1.operations", "outcome", "committed")).isEqualTo(1);
        assertThat(counter("strand.cop1.operations", "outcome", "unavailable")).isEqualTo(2);
        assertThat(counter("strand.cop2.update.sets")).isEqualTo(1);
        assertThat(exported.get("strand.journal.persist").timer().count()).isEqualTo(1);
    }
}
