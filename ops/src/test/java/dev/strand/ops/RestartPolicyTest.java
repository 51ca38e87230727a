package dev.strand.ops;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class RestartPolicyTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final RestartPolicy policy = new RestartPolicy(3, Duration.ofMinutes(10), Duration.ofSeconds(1),
            Duration.ofSeconds(4));

    @Test
    void theFirstRestartComesAfterTheFirstDelayThenTheDelayDoublesUpToTheMaximum() {
        assertThat(policy.restartNow(T0)).isFalse();
        assertThat(policy.restartNow(T0.plusMillis(999))).isFalse();
        assertThat(policy.restartNow(T0.plusSeconds(1))).isTrue();
        policy.restarted(T0.plusSeconds(1));

        assertThat(policy.restartNow(T0.plusSeconds(10))).isFalse();
        assertThat(policy.restartNow(T0.plusSeconds(11))).as("2 s after it was found dead").isFalse();
        assertThat(policy.restartNow(T0.plusSeconds(12))).isTrue();
        assertThat(policy.delay(2)).isEqualTo(Duration.ofSeconds(4));
        assertThat(policy.delay(10)).as("capped").isEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void afterTheLimitOfRestartsWithinTheWindowItGivesUp() {
        Instant now = T0;
        for (int i = 0; i < 3; i++) {
            now = now.plusSeconds(60);
            policy.restartNow(now);
            now = now.plusSeconds(5);
            assertThat(policy.restartNow(now)).isTrue();
            policy.restarted(now);
        }
        now = now.plusSeconds(60);
        assertThat(policy.restartNow(now)).isFalse();
        assertThat(policy.restartNow(now.plusSeconds(60))).isFalse();
        assertThat(policy.gaveUp()).isTrue();
        assertThat(policy.total()).isEqualTo(3);
    }

    @Test
    void restartsOutsideTheWindowNoLongerCount() {
        Instant now = T0;
        for (int i = 0; i < 3; i++) {
            now = now.plusSeconds(10);
            policy.restartNow(now);
            now = now.plusSeconds(5);
            policy.restartNow(now);
            policy.restarted(now);
        }
        Instant muchLater = now.plus(Duration.ofMinutes(11));
        policy.restartNow(muchLater);
        assertThat(policy.restartNow(muchLater.plusSeconds(1))).isTrue();
        assertThat(policy.gaveUp()).isFalse();
    }

    @Test
    void aProcessStartedByHandAfterTheSupervisorGaveUpIsWatchedAgain() {
        Instant now = T0;
        for (int i = 0; i < 3; i++) {
            now = now.plusSeconds(10);
            policy.restartNow(now);
            now = now.plusSeconds(5);
            policy.restartNow(now);
            policy.restarted(now);
        }
        policy.restartNow(now.plusSeconds(30));
        assertThat(policy.gaveUp()).isTrue();

        policy.running();
        assertThat(policy.gaveUp()).isFalse();
        policy.restartNow(now.plusSeconds(40));
        assertThat(policy.restartNow(now.plusSeconds(41))).isTrue();
    }
}
