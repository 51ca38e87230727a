package dev.strand.actors.coordinator;

import dev.strand.actors.volume.VolumeReplica;
import dev.strand.actors.volume.VolumeReplica.Result;
import dev.strand.conflictrepair.FullComparison;
import dev.strand.conflictrepair.ResolutionPlan;
import dev.strand.replication.VersionVector;
import dev.strand.volume.ConflictTable;
import dev.strand.volume.FrameBudget;
import dev.strand.volume.VnodeSync;
import dev.strand.volume.VolumeSnapshot;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * FULL COMPARISON, the coordinator's side: when the resolution logs cannot explain how the replicas differ (a log
 * overflowed, a slot leads by more than its log holds, the log plan was refused), the replicas are compared object
 * by object, Coda-style, within the same resolution (mutations stay paused). Every replica lists its vnode versions
 * in catch-up's pages ({@code ListVersions}); the numbers whose versions differ are read whole
 * ({@code ReadResolutionImages}, paged); {@link FullComparison} decides; and the result is performed as a resolution
 * is, one atomic write per replica ({@code ApplyResolution}, staged when large), which also gives every replica the
 * group's new volume vector, the highest fid counters, and an empty log with its overflow mark cleared.
 */
final class FullComparisons {

    private final ActorContext<Object> context;
    private final long volumeId;
    private final int replicas;
    private final GroupAsks asks;
    private final FrameBudget frames;
    private final Resolutions resolution;

    FullComparisons(ActorContext<Object> context, long volumeId, int replicas, GroupAsks asks, FrameBudget frames,
                    Resolutions resolution) {
        this.context = context;
        this.volumeId = volumeId;
        this.replicas = replicas;
        this.asks = asks;
        this.frames = frames;
        this.resolution = resolution;
    }

    /**
     * Compares every replica and performs the result with {@code vector} (dominating every replica's) and the fid
     * counters; {@code why} says why the logs did not do.
     */
    void run(String why, VersionVector vector, long nextVnode, long nextUnique) {
        context.getLog().info("Volume {}: the resolution logs cannot merge the replicas ({}): comparing them object by"
                + " object", volumeId, why);
        List<CompletableFuture<List<VnodeSync.Summary>>> listed = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            listed.add(versions(i, 0, new ArrayList<>()));
        }
        context.pipeToSelf(CompletableFuture.allOf(listed.toArray(CompletableFuture[]::new)),
                (ok, failure) -> new VolumeCoordinator.Gathered(List.of(), ignored -> compared(why,
                        listed.stream().map(l -> l.getNow(null)).toList(), vector, nextVnode, nextUnique)));
    }

    /** Replica {@code replica}'s vnode versions above {@code after}, page after page (null if a page did not come). */
    private CompletableFuture<List<VnodeSync.Summary>> versions(int replica, long after,
                                                               List<VnodeSync.Summary> before) {
        return asks.ask(replica, r -> new VolumeReplica.ListVersions(after, VnodeSync.SUMMARY_PAGE, r))
                .toCompletableFuture().thenCompose(answer -> {
                    if (!(answer instanceof Result.Versions page)) {
                        return CompletableFuture.<List<VnodeSync.Summary>>completedFuture(null);
                    }
                    before.addAll(page.summaries());
                    if (page.last() || page.summaries().isEmpty()) {
                        return CompletableFuture.completedFuture(before);
                    }
                    return versions(replica, page.summaries().get(page.summaries().size() - 1).vnode(), before);
                }).exceptionally(failure -> null);
    }

    private void compared(String why, List<List<VnodeSync.Summary>> listed, VersionVector vector, long nextVnode,
                          long nextUnique) {
        for (int i = 0; i < listed.size(); i++) {
            if (listed.get(i) == null) {
                resolution.finish("the full comparison (" + why + ") could not list replica " + i + "'s vnodes");
                return;
            }
        }
        List<Long> differing = FullComparison.differing(listed);
        if (differing.size() > frames.numbersPerPage()) { // the images' request carries them all: one message
            resolution.finish("the full comparison (" + why + ") found " + differing.size() + " objects that differ,"
                    + " more than one comparison reads (" + frames.numbersPerPage() + ")");
            return;
        }
        resolution.gatherPages(skip -> r -> new VolumeReplica.ReadResolutionImages(differing, r, skip), images -> {
            String missing = Resolutions.missing(images, Result.ResolutionImages.class);
            if (missing != null) {
                resolution.finish("the full comparison (" + why + ") could not read the images: " + missing);
                return;
            }
            List<List<VolumeSnapshot.VnodeRecord>> perReplica = images.stream()
                    .map(a -> ((Result.ResolutionImages) a).images()).toList();
            ResolutionPlan.Planned plan;
            try {
                plan = FullComparison.decide(volumeId, differing, perReplica);
            } catch (RuntimeException e) {
                resolution.finish("the full comparison (" + why + ") failed: " + e);
                return;
            }
            if (plan.conflicts().size() > ConflictTable.MAX_CONFLICTS) {
                resolution.finish("the full comparison (" + why + ") found " + plan.conflicts().size()
                        + " conflicts, more than " + ConflictTable.MAX_CONFLICTS + " can be marked");
                return;
            }
            context.getLog().info("Volume {}: full comparison: {} objects differ, {} conflicts", volumeId,
                    differing.size(), plan.conflicts().size());
            resolution.perform(plan, vector, nextVnode, nextUnique);
        });
    }
}
