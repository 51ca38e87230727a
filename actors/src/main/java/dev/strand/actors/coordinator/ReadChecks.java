package dev.strand.actors.coordinator;

import dev.strand.actors.volume.VolumeReplica.Result;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.FetchReply;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.WalkReply;

import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * DETECTION on reads. A read is served by one replica, so it cannot see by itself that another replica holds a
 * different version. After a read of an object, the coordinator asks every replica for that object's version in
 * the background (as VALIDATE does); unequal versions at the current replicas start a group check
 * ({@link Detection}), which tells a replica behind from replicas that diverged.
 *
 * <p>Sampled, so that reads stay one round trip: at most one such check runs at a time and at most one starts per
 * {@code strand.coordinator.read-check-interval} (zero turns them off), and only while the volume is quiet (no
 * operation in flight, no update set unsent): right after a write the replicas differ until COP2 lands, and that
 * is no news.
 */
final class ReadChecks {

    private final Duration interval;
    /** Whether nothing is in flight and every update set went out. */
    private final BooleanSupplier quiet;
    /** Validates one object at every replica and runs the second argument when the answers are in. */
    private final BiConsumer<Fid, Runnable> validate;
    private final LongSupplier nanoTime;

    private boolean running;
    private long lastStartNanos;
    private boolean startedOnce;

    ReadChecks(Duration interval, BooleanSupplier quiet, BiConsumer<Fid, Runnable> validate, LongSupplier nanoTime) {
        this.interval = interval;
        this.quiet = quiet;
        this.validate = validate;
        this.nanoTime = nanoTime;
    }

    /** A read was answered with {@code result}: checks the object it names, if the sampling allows one now. */
    void afterRead(Result result) {
        if (interval.isZero() || running || !quiet.getAsBoolean()) {
            return;
        }
        Fid fid = readObject(result);
        if (fid == null) {
            return;
        }
        long now = nanoTime.getAsLong();
        if (startedOnce && now - lastStartNanos < interval.toNanos()) {
            return;
        }
        startedOnce = true;
        lastStartNanos = now;
        running = true;
        validate.accept(fid, () -> running = false);
    }

    /** The object a read's answer describes, or null (a directory page, a link target, a refusal). */
    static Fid readObject(Result result) {
        if (result instanceof Result.FetchTarget target) {
            return target.attr().fid();
        }
        if (result instanceof Result.Done done) {
            if (done.reply() instanceof Attr attr) {
                return attr.fid();
            }
            if (done.reply() instanceof WalkReply walk && walk.attr() != null) {
                return walk.attr().fid();
            }
            if (done.reply() instanceof FetchReply fetch && fetch.attr() != null) {
                return fetch.attr().fid();
            }
        }
        return null;
    }
}
