package dev.strand.conflictrepair.resolution;

import dev.strand.conflictrepair.Conflict;
import dev.strand.conflictrepair.LogEntry;
import dev.strand.conflictrepair.PlanStep;
import dev.strand.replication.VersionVector;
import dev.strand.volume.VnodeSync;
import dev.strand.volume.VolumeSnapshot.VnodeRecord;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The replicas of a group as a resolution's participants: what the {@link ResolutionCoordinator} asks replica
 * {@code i} (0 .. {@link #count()} - 1), in conflict-repair's terms. The actors module implements it with the
 * replicas' own messages. Each ask has its own timeout; its stage completes with the answer, or exceptionally:
 * with {@link Refused} when the replica answered no, with anything else when it did not answer. Called from the
 * resolution coordinator's thread; the stages may complete on any thread.
 */
public interface Participants {

    /** How many replicas take part (every replica of the group: a log left out could hold what the others lack). */
    int count();

    /** Replica {@code replica}'s resolution log from entry {@code skip} on, one page. */
    CompletionStage<LogPage> readLog(int replica, int skip);

    /**
     * Replica {@code replica} applies the update sets this coordinator saw committed for the operations it logged
     * ({@code loggedOpIds}); true if there were any to apply. Never fails: a replica that does not take them keeps its
     * entries, which the plan then replays as it would anyway.
     */
    CompletionStage<Boolean> settle(int replica, List<Long> loggedOpIds);

    /**
     * Replica {@code replica}'s images of vnodes {@code vnodes} from piece {@code skip} on, one page: a directory too
     * large for a message comes as consecutive pieces ({@link dev.strand.conflictrepair.VnodeImages#joinPieces}).
     */
    CompletionStage<ImagesPage> readImages(int replica, List<Long> vnodes, int skip);

    /** Replica {@code replica}'s vnode versions above vnode {@code after}, one page (a full comparison's listing). */
    CompletionStage<VersionsPage> listVersions(int replica, long after);

    /**
     * Replica {@code replica} performs {@code perform} in one atomic write (its steps, its conflicts marked, the
     * group's new vector and fid counters adopted) or not at all. Refused with {@link Refused#changed()} when its
     * state is not what the plan was made from.
     */
    CompletionStage<Void> perform(int replica, Perform perform);

    /** Replica {@code replica}'s volume vector now (did a perform whose answer was lost land?). */
    CompletionStage<VersionVector> volumeVector(int replica);

    /** A page of a replica's resolution log, with its fid counters and volume vector; {@code more}: entries follow. */
    record LogPage(List<LogEntry> entries, boolean overflowed, VersionVector volumeVector, long nextVnode,
                   long nextUnique, boolean more) {
        public LogPage {
            entries = List.copyOf(entries);
        }
    }

    /** A page of a replica's vnode images; {@code more}: images follow. */
    record ImagesPage(List<VnodeRecord> images, boolean more) {
        public ImagesPage {
            images = List.copyOf(images);
        }
    }

    /** A page of a replica's vnode versions, in vnode order; {@code last}: none follow. */
    record VersionsPage(List<VnodeSync.Summary> summaries, boolean last) {
        public VersionsPage {
            summaries = List.copyOf(summaries);
        }
    }

    /**
     * What one replica performs: its steps and every conflict of the plan, then the group's new {@code vector} and
     * fid counters. {@code resolution} names this resolution (a replica stages a perform too large for one message
     * under it).
     */
    record Perform(long resolution, List<PlanStep> steps, List<Conflict> conflicts, VersionVector vector,
                   long nextVnode, long nextUnique) {
        public Perform {
            steps = List.copyOf(steps);
            conflicts = List.copyOf(conflicts);
        }
    }

    /** A replica answered no: {@code changed} if because its state is not what a plan was made from. */
    final class Refused extends RuntimeException {
        private final boolean changed;

        public Refused(String message, boolean changed) {
            super(message, null, false, false);
            this.changed = changed;
        }

        public boolean changed() {
            return changed;
        }
    }
}
