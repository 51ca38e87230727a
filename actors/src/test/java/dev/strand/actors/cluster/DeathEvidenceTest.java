package dev.strand.actors.cluster;

import org.apache.pekko.actor.Address;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;

import static dev.strand.actors.cluster.DeathEvidence.Outcome.ACCEPTED;
import static dev.strand.actors.cluster.DeathEvidence.Outcome.NO_ANSWER;
import static dev.strand.actors.cluster.DeathEvidence.Outcome.REFUSED;
import static org.assertj.core.api.Assertions.assertThat;

class DeathEvidenceTest {

    @Test
    void refusalsInARowAfterAnAcceptProveDeath() {
        DeathEvidence evidence = new DeathEvidence(2);
        assertThat(evidence.record("n", ACCEPTED)).isFalse();
        assertThat(evidence.record("n", REFUSED)).isFalse();
        assertThat(evidence.record("n", REFUSED)).isTrue();
    }

    @Test
    void aPortThatNeverAcceptedIsNeverDeclaredDead() {
        DeathEvidence evidence = new DeathEvidence(2);
        for (int i = 0; i < 5; i++) {
            assertThat(evidence.record("n", REFUSED)).isFalse();
        }
    }

    @Test
    void anAcceptOrASilenceBreaksTheRun() {
        DeathEvidence evidence = new DeathEvidence(2);
        evidence.record("n", ACCEPTED);
        evidence.record("n", REFUSED);
        assertThat(evidence.record("n", NO_ANSWER)).isFalse();
        assertThat(evidence.record("n", REFUSED)).isFalse();
        evidence.record("n", ACCEPTED);
        assertThat(evidence.record("n", REFUSED)).isFalse();
        assertThat(evidence.record("n", REFUSED)).isTrue();
    }

    @Test
    void membersAreJudgedApart() {
        DeathEvidence evidence = new DeathEvidence(1);
        evidence.record("a", ACCEPTED);
        assertThat(evidence.record("b", REFUSED)).isFalse();
        assertThat(evidence.record("a", REFUSED)).isTrue();
    }

    @Test
    void aListeningPortAcceptsAndAClosedOneRefuses() throws Exception {
        int port;
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = server.getLocalPort();
            Address address = new Address("pekko", "strand", "127.0.0.1", port);
            assertThat(DeathProbe.connect(address, Duration.ofSeconds(2))).isEqualTo(ACCEPTED);
        }
        Address closed = new Address("pekko", "strand", "127.0.0.1", port);
        assertThat(DeathProbe.connect(closed, Duration.ofSeconds(2))).isEqualTo(REFUSED);
    }
}
