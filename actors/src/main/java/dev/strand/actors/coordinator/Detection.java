package dev.strand.actors.coordinator;

import dev.strand.actors.volume.VolumeReplica;
import dev.strand.actors.volume.VolumeReplica.Command;
import dev.strand.actors.volume.VolumeReplica.Result;
import dev.strand.cop2.OperationPipeline;
import dev.strand.replication.StorageGroup;
import dev.strand.replication.VersionVector;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * DETECTION while the coordinator runs: looks at the storage group again and starts what it needs. Triggered by the
 * scrubber ({@code strand.volume.scrub-interval}), by a VALIDATE whose replicas disagree, by a read whose object
 * differs between the replicas ({@link ReadChecks}), and by {@code strand repair check}. A check compares the volume vectors of the replicas that are current (one that is behind is catching up's
 * business: it tells lost answers from divergence): a dominated one is behind and catches up; undominated ones
 * concurrent with each other are diverged and resolved ({@link StorageGroup#compare}).
 *
 * <p>Vectors are only comparable at a quiet moment: mid-operation one replica may have applied an operation or an
 * update set another has not yet. So a check pauses mutations (only when nothing else has: a catch-up's last round
 * or a resolution has its own pause), lets what is in flight finish, has every current replica apply the update
 * sets it is owed (and waits for them), gathers the vectors, and resumes ({@link MutationHold}). The pause lasts two
 * round trips.
 */
final class Detection {

    /** What a check found: every replica's volume vector (null: no answer) and what it started. */
    record Report(List<VersionVector> vectors, List<String> started) {}

    private final ActorContext<Object> context;
    private final long volumeId;
    private final List<RecipientRef<Command>> replicas;
    private final StorageGroup group;
    private final OperationPipeline<?, ?> pipeline;
    private final GroupAsks asks;
    /** The pause the check holds while it compares. */
    private final MutationHold hold;
    /** Replica i is behind or diverged now: catching up (or resolution) takes it from here. */
    private final IntConsumer schedule;

    /** Who waits for the running (or next) check's report; the scrubber's checks have no one. */
    private final List<Consumer<Report>> waiting = new ArrayList<>();
    private String trigger;

    Detection(ActorContext<Object> context, long volumeId, List<RecipientRef<Command>> replicas, StorageGroup group,
              OperationPipeline<?, ?> pipeline, GroupAsks asks, MutationHold hold, IntConsumer schedule) {
        this.context = context;
        this.volumeId = volumeId;
        this.replicas = replicas;
        this.group = group;
        this.pipeline = pipeline;
        this.asks = asks;
        this.hold = hold;
        this.schedule = schedule;
    }

    boolean running() {
        return hold.heldBy(MutationHold.Holder.GROUP_CHECK);
    }

    /**
     * Checks the group now (or joins the check that runs); {@code then} (may be null) gets the report. When another
     * pause holds mutations (a catch-up's last round, a resolution), nothing is compared: the report says so.
     */
    void check(String why, Consumer<Report> then) {
        if (then != null) {
            waiting.add(then);
        }
        if (running()) {
            return;
        }
        trigger = why;
        // quick: a replica already behind that did not answer last time does not hold the pause
        if (!hold.hold(MutationHold.Holder.GROUP_CHECK,
                unacknowledged -> asks.gather(VolumeReplica.GetStats::new, this::compare, true))) {
            answer(null, List.of("nothing: a catch-up's last round, a resolution or a repair runs now"));
        }
    }

    private void compare(List<Result> answers) {
        asks.noteAnswers(answers);
        List<VersionVector> vectors = GroupAsks.volumeVectors(answers);
        List<VersionVector> current = new ArrayList<>(vectors);
        for (int i = 0; i < current.size(); i++) {
            if (group.isBehind(i)) {
                current.set(i, null);
            }
        }
        StorageGroup.Verdict[] verdicts = StorageGroup.compare(current);
        List<String> started = new ArrayList<>();
        List<Integer> diverged = new ArrayList<>();
        for (int i = 0; i < verdicts.length; i++) {
            if (verdicts[i] == StorageGroup.Verdict.DOMINATED) {
                context.getLog().warn("Replica {} of volume {} is behind ({}: its vector {} is dominated); it is "
                        + "brought up to date", i, volumeId, trigger, vectors.get(i));
                group.markBehind(i);
                pipeline.dropUnsent(i);
                started.add("catch-up of replica " + i);
            } else if (verdicts[i] == StorageGroup.Verdict.CONCURRENT) {
                group.markBehind(i);
                group.markDiverged(i, true);
                diverged.add(i);
            }
        }
        if (!diverged.isEmpty()) {
            context.getLog().warn("Replicas {} of volume {} diverged ({}: concurrent vectors {}); they serve nothing "
                    + "until resolved", diverged, volumeId, trigger, Arrays.toString(vectors.toArray()));
            started.add("resolution of replicas " + diverged);
        }
        // still quiet: a group found current with equal vectors forgets what its logs hold (every replica has it)
        asks.forgetSettledLogs(answers, () -> {
            hold.release(); // first: the catch-up or resolution scheduled below takes the hold in its turn
            for (int i = 0; i < vectors.size(); i++) {
                if (group.isBehind(i) && vectors.get(i) != null) {
                    schedule.accept(i); // also a replica already behind whose catch-up waits for its next try
                }
            }
            answer(vectors, started);
        });
    }

    private void answer(List<VersionVector> vectors, List<String> started) {
        List<Consumer<Report>> now = List.copyOf(waiting);
        waiting.clear();
        Report report = new Report(vectors, started);
        now.forEach(then -> then.accept(report));
    }
}
