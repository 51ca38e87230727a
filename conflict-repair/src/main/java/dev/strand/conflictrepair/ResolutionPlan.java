package dev.strand.conflictrepair;

import dev.strand.protocol.message.Fid;

import java.util.List;
import java.util.Map;

/** What {@link ResolutionPlanner} decided for one volume (or one group of objects). */
public sealed interface ResolutionPlan {

    /**
     * Every replica performs its steps, in order; then every object that {@code stamps} names holds equal contents
     * and an equal version everywhere, and each object of {@code conflicts} stays as it is on each replica.
     *
     * @param steps     per replica slot (every replica of the input), the steps to perform there, possibly none
     * @param conflicts what could not be merged
     * @param stamped   the objects whose final version the plan sets (the same {@link PlanStep.Stamp} closes every
     *                  replica's steps)
     */
    record Planned(Map<Integer, List<PlanStep>> steps, List<Conflict> conflicts, List<Fid> stamped)
            implements ResolutionPlan {

        public Planned {
            steps = Map.copyOf(steps);
            conflicts = List.copyOf(conflicts);
            stamped = List.copyOf(stamped);
        }

        public boolean hasConflicts() {
            return !conflicts.isEmpty();
        }
    }

    /**
     * The logs cannot tell what happened (a log overflowed; objects differ with no operation in any log to explain
     * it, i.e. the difference is older than the logs; a directory differs without a log to merge it): the replicas
     * must be compared object by object. Nothing was decided.
     */
    record NeedsFullComparison(String reason, List<Fid> objects) implements ResolutionPlan {
        public NeedsFullComparison {
            objects = List.copyOf(objects);
        }
    }
}
