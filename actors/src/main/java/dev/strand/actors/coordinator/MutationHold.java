package dev.strand.actors.coordinator;

import dev.strand.cop2.OperationPipeline;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

import java.util.List;
import java.util.function.Consumer;

/**
 * The quiet moment the coordinator's group-wide activities need: a group check ({@link Detection}), a resolution
 * ({@link Resolutions}), a catch-up's last round ({@link CatchUps}) and a repair ({@link Repairs}) each pause
 * mutations, wait until nothing is in flight, have every replica apply the update sets it is owed, then do their
 * work, then resume. One of them holds the pause at a time: a second is refused (each says so in its own way) and
 * comes back later. While held, what the replicas report does not move under the holder.
 *
 * <p>The holder's work runs in the coordinator once the replicas acknowledged their owed update sets (or did not:
 * it is told which current ones did not, and decides whether that matters); it ends with {@link #release}.
 */
final class MutationHold {

    /** Who holds mutations, as the coordinator's log names it. */
    enum Holder {
        GROUP_CHECK("a group check"),
        RESOLUTION("a resolution"),
        CATCH_UP_LAST_ROUND("a catch-up's last round"),
        REPAIR("a repair");

        final String label;

        Holder(String label) {
            this.label = label;
        }
    }

    private final ActorContext<Object> context;
    private final TimerScheduler<Object> timers;
    private final long volumeId;
    private final OperationPipeline<?, ?> pipeline;
    private final GroupAsks asks;
    /** Starts what waited for the pause to end (mutations, parked reads). */
    private final Runnable resume;

    private Holder holder;
    /** The holder's work, until the pipeline is idle; null once it started. */
    private Consumer<List<Integer>> whenQuiet;

    MutationHold(ActorContext<Object> context, TimerScheduler<Object> timers, long volumeId,
                 OperationPipeline<?, ?> pipeline, GroupAsks asks, Runnable resume) {
        this.context = context;
        this.timers = timers;
        this.volumeId = volumeId;
        this.pipeline = pipeline;
        this.asks = asks;
        this.resume = resume;
    }

    /** Who holds mutations now, or null. */
    Holder holder() {
        return holder;
    }

    boolean heldBy(Holder who) {
        return holder == who;
    }

    /**
     * Pauses mutations for {@code who}; once nothing is in flight and every replica applied the update sets it is
     * owed, {@code whenQuiet} runs in the coordinator with the current replicas that did not acknowledge theirs.
     * False (nothing paused, nothing runs) when another holder has them.
     */
    boolean hold(Holder who, Consumer<List<Integer>> whenQuiet) {
        if (holder != null || pipeline.isPaused()) {
            return false;
        }
        holder = who;
        this.whenQuiet = whenQuiet;
        pipeline.pause();
        context.getLog().debug("Volume {}: mutations paused for {}", volumeId, who.label);
        afterOperation();
        return true;
    }

    /** An operation finished: once nothing is in flight, the owed update sets go, then the holder's work. */
    void afterOperation() {
        if (holder == null || whenQuiet == null || !pipeline.idle()) {
            return;
        }
        Consumer<List<Integer>> work = whenQuiet;
        whenQuiet = null;
        timers.cancel(VolumeCoordinator.Tick.FLUSH_COP2); // the update sets go now, and are waited for
        asks.deliverOwedCop2(pipeline, work);
    }

    /** The holder is done (or gives up): mutations resume. Does nothing if no one holds them. */
    void release() {
        if (holder == null) {
            return;
        }
        context.getLog().debug("Volume {}: mutations resume after {}", volumeId, holder.label);
        holder = null;
        whenQuiet = null;
        pipeline.resume();
        resume.run();
    }
}
