package dev.strand.ops;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * When the cluster supervisor restarts one dead process: after a delay that doubles with each restart in the
 * window (from {@code firstDelay} up to {@code maxDelay}), and not at all once {@code limit} restarts fell within
 * the window (a process that dies again and again needs a person: its log says why). A process seen running
 * again (started by hand) is watched afresh. Pure: the caller gives the time.
 */
final class RestartPolicy {
    static final int DEFAULT_LIMIT = 5;
    static final Duration DEFAULT_WINDOW = Duration.ofMinutes(10);
    static final Duration DEFAULT_FIRST_DELAY = Duration.ofSeconds(1);
    static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(30);

    private final int limit;
    private final Duration window;
    private final Duration firstDelay;
    private final Duration maxDelay;
    /** Bounded by {@code limit}: older ones are dropped as the window moves on. */
    private final Deque<Instant> recent = new ArrayDeque<>();
    private Instant deadSince;
    private boolean gaveUp;
    private int total;
    private Instant lastRestart;

    RestartPolicy(int limit, Duration window, Duration firstDelay, Duration maxDelay) {
        if (limit < 1 || window.isNegative() || firstDelay.isNegative() || maxDelay.compareTo(firstDelay) < 0) {
            throw new IllegalArgumentException("bad restart policy: " + limit + ", " + window + ", " + firstDelay
                    + ", " + maxDelay);
        }
        this.limit = limit;
        this.window = window;
        this.firstDelay = firstDelay;
        this.maxDelay = maxDelay;
    }

    static RestartPolicy defaults() {
        return new RestartPolicy(DEFAULT_LIMIT, DEFAULT_WINDOW, DEFAULT_FIRST_DELAY, DEFAULT_MAX_DELAY);
    }

    /** The process runs. If the supervisor had given up on it, someone started it: watch it again. */
    void running() {
        deadSince = null;
        if (gaveUp) {
            gaveUp = false;
            recent.clear();
        }
    }

    /** The process is dead at {@code now}: whether to restart it now (else later, or never if given up). */
    boolean restartNow(Instant now) {
        if (gaveUp) {
            return false;
        }
        if (deadSince == null) {
            deadSince = now;
        }
        while (!recent.isEmpty() && recent.peekFirst().isBefore(now.minus(window))) {
            recent.removeFirst();
        }
        if (recent.size() >= limit) {
            gaveUp = true;
            return false;
        }
        return !now.isBefore(deadSince.plus(delay(recent.size())));
    }

    /** A restart was made at {@code now}. */
    void restarted(Instant now) {
        recent.addLast(now);
        total++;
        lastRestart = now;
        deadSince = null;
    }

    /** The wait before a restart, after {@code restartsInWindow} others. */
    Duration delay(int restartsInWindow) {
        Duration delay = firstDelay;
        for (int i = 0; i < restartsInWindow && delay.compareTo(maxDelay) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(maxDelay) > 0 ? maxDelay : delay;
    }

    boolean gaveUp() {
        return gaveUp;
    }

    int total() {
        return total;
    }

    Optional<Instant> lastRestart() {
        return Optional.ofNullable(lastRestart);
    }
}
