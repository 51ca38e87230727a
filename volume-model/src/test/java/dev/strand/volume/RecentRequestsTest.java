package dev.strand.volume;

import dev.strand.protocol.Status;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RecentRequestsTest {

    private static final long T0 = 1_000_000_000L;

    private static VolumeEvent.EntryRemoved removed(String clientId, long requestId, long timeMillis) {
        return removed(clientId, requestId, timeMillis, null);
    }

    private static VolumeEvent.EntryRemoved removed(String clientId, long requestId, long timeMillis, String digest) {
        return new VolumeEvent.EntryRemoved(new Origin(clientId, requestId, "p", timeMillis, digest), null, "x", null,
                false, null, null, null);
    }

    @Test
    void eachClientKeepsOnlyItsLastRequests() {
        RecentRequests recent = new RecentRequests(3, Duration.ofMinutes(15));
        for (long id = 1; id <= 5; id++) {
            recent.record(removed("a", id, T0));
        }
        recent.record(removed("b", 1, T0));

        assertThat(recent.answerAgain(null, "a", 2, null, T0)).isNull();
        assertThat(recent.answerAgain(null, "a", 3, null, T0)).isNotNull();
        assertThat(recent.answerAgain(null, "a", 5, null, T0)).isNotNull();
        assertThat(recent.answerAgain(null, "b", 1, null, T0)).isNotNull();
        assertThat(recent.size()).isEqualTo(4);
    }

    @Test
    void anIdleClientIsForgotten() {
        RecentRequests recent = new RecentRequests(10, Duration.ofMinutes(15));
        recent.record(removed("idle", 1, T0));
        recent.record(removed("busy", 1, T0 + Duration.ofMinutes(16).toMillis()));

        assertThat(recent.answerAgain(null, "idle", 1, null, T0 + Duration.ofMinutes(16).toMillis())).isNull();
        assertThat(recent.size()).isEqualTo(1);
    }

    @Test
    void requestsWithoutAClientIdAreNeverRecognised() {
        RecentRequests recent = new RecentRequests();
        recent.record(removed(null, 1, T0));

        assertThat(recent.answerAgain(null, null, 1, null, T0)).isNull();
        assertThat(recent.size()).isZero();
    }

    @Test
    void aRetryWhoseRequestDiffersFromTheRememberedOneIsRefusedWithRequestIdReused() {
        RecentRequests recent = new RecentRequests();
        recent.record(removed("a", 1, T0, "digest-of-remove-x"));

        assertThat(recent.answerAgain(null, "a", 1, "digest-of-remove-x", T0))
                .isInstanceOf(RecentRequests.Answer.Again.class);
        RecentRequests.Answer other = recent.answerAgain(null, "a", 1, "digest-of-create-y", T0);
        assertThat(((RecentRequests.Answer.Refused) other).status()).isEqualTo(Status.REQUEST_ID_REUSED);
    }

    @Test
    void aSnapshotRestoresTheWindowWithItsDigests() {
        RecentRequests recent = new RecentRequests();
        recent.record(removed("a", 1, T0, "d1"));

        RecentRequests restored = RecentRequests.restored(recent.snapshot(null).recentRequests());

        assertThat(restored.answerAgain(null, "a", 1, "d1", T0)).isEqualTo(recent.answerAgain(null, "a", 1, "d1", T0));
        assertThat(((RecentRequests.Answer.Refused) restored.answerAgain(null, "a", 1, "d2", T0)).status())
                .isEqualTo(Status.REQUEST_ID_REUSED);
    }

    @Test
    void refusalsInWindowsWrittenByOlderCodeAreIgnored() {
        RecentRequests restored = RecentRequests.restored(List.of(
                new RecentRequests.Entry("a", 2, T0, null, Status.EXISTS, "'x' already exists")));

        assertThat(restored.answerAgain(null, "a", 2, null, T0)).as("evaluated again").isNull();
    }
}
