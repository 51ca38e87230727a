package dev.strand.actors.coordinator;

import dev.strand.actors.volume.ConflictEntry;
import dev.strand.volume.ConflictRecord;
import dev.strand.volume.RecentRequests;
import dev.strand.volume.VnodeSync;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.actors.volume.VolumeReplica.Command;
import dev.strand.actors.volume.VolumeReplica.Result;
import dev.strand.volume.VolumeSnapshot;
import dev.strand.protocol.Status;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * One round of bringing a replica that fell behind (the target) up to date from a current one (the
 * source), by the exchange {@link VnodeSync} describes: page through the source's vnode versions, let the
 * target name what differs, copy those vnodes (large directories in slices) and remove what the source no
 * longer has. Every step is an ask; nothing here touches the coordinator's state, so a round runs beside
 * the coordinator and reports back once (pipeToSelf).
 *
 * <p>A round that runs while the volume keeps changing leaves the target close to the source but not
 * equal; the coordinator repeats rounds and runs the last one ({@code complete}) with mutations paused,
 * after which the target also adopts the source's retry window, volume vector and fid counters.
 */
final class ReplicaCatchUp {

    /** How many retry-window entries a target adopts at most (the newest clients' windows may be cut). */
    static final int MAX_RECENT_REQUESTS = 20_000;
    private static final int RECENT_REQUESTS_PAGE = 1000;

    /** What a round did: items installed on the target (vnodes, removals, entries). */
    record Outcome(int installed) {}

    /** A replica refused a step or did not answer. */
    static final class CatchUpFailed extends RuntimeException {
        /** The source said STALE: what was being copied changed under the copy. */
        final boolean stale;

        CatchUpFailed(String message, boolean stale) {
            super(message, null, false, false);
            this.stale = stale;
        }
    }

    private final long volumeId;
    private final int sourceIndex;
    private final RecipientRef<Command> source;
    private final int targetIndex;
    private final RecipientRef<Command> target;
    private final Duration timeout;
    private final Scheduler scheduler;

    ReplicaCatchUp(long volumeId, int sourceIndex, RecipientRef<Command> source, int targetIndex,
                   RecipientRef<Command> target, Duration timeout, Scheduler scheduler) {
        this.volumeId = volumeId;
        this.sourceIndex = sourceIndex;
        this.source = source;
        this.targetIndex = targetIndex;
        this.target = target;
        this.timeout = timeout;
        this.scheduler = scheduler;
    }

    int sourceIndex() {
        return sourceIndex;
    }

    /** Set for the last round, which runs with mutations paused: nothing may change under it. */
    private volatile boolean finalRound;

    /** The source's last page of versions in the latest pass (its volume vector and fid counters). */
    private volatile Result.Versions lastPage;

    /**
     * One pass over every vnode; with {@code complete}, also the end of the catch-up. The last round copies the
     * source's conflicts after its pass (objects the target held in conflict kept its own version in it); if the
     * target held conflicts, a second pass follows, so an object whose conflict was repaired while the target was
     * away (not in the source's conflicts any more) is copied too.
     */
    CompletionStage<Outcome> round(boolean complete) {
        finalRound = complete;
        if (!complete) {
            return pagesFrom(0, new Outcome(0));
        }
        return ask(target, VolumeReplica.GetStats::new, Result.Stats.class).thenCompose(stats ->
                pagesFrom(0, new Outcome(0)).thenCompose(outcome -> adoptConflicts(0)
                        .thenCompose(adopted -> stats.self().conflicts() > 0 ? pagesFrom(0, outcome)
                                : CompletableFuture.completedFuture(outcome))))
                .thenCompose(outcome -> complete(lastPage, outcome));
    }

    private CompletionStage<Outcome> pagesFrom(long after, Outcome soFar) {
        return ask(source, r -> new VolumeReplica.ListVersions(after, VnodeSync.SUMMARY_PAGE, r), Result.Versions.class)
                .thenCompose(versions -> ask(target, r -> new VolumeReplica.CompareVersions(after,
                        versions.summaries(), versions.last(), r), Result.Compared.class)
                        .thenCompose(compared -> copy(compared.differences())
                                .thenApply(installed -> new long[] {installed, compared.differences().comparedUpTo()}))
                        .thenCompose(copied -> {
                            Outcome next = new Outcome(soFar.installed() + (int) copied[0]);
                            if (copied[1] > after) { // the target had too many extra vnodes for one answer
                                return pagesFrom(copied[1], next);
                            }
                            if (!versions.last()) {
                                long last = versions.summaries().get(versions.summaries().size() - 1).vnode();
                                return pagesFrom(last, next);
                            }
                            lastPage = versions;
                            return CompletableFuture.completedFuture(next);
                        }));
    }

    /** Copies the wanted vnodes and removes the extra ones; completes with how many items were installed. */
    private CompletionStage<Integer> copy(VnodeSync.Differences differences) {
        if (VnodeSync.same(differences)) {
            return CompletableFuture.completedFuture(0);
        }
        return copyBatch(differences.wanted(), differences.extra(), 0);
    }

    private CompletionStage<Integer> copyBatch(List<Long> wanted, List<Long> removals, int installedSoFar) {
        if (wanted.isEmpty()) {
            if (removals.isEmpty()) {
                return CompletableFuture.completedFuture(installedSoFar);
            }
            return install(List.of(), List.of(), removals).thenApply(n -> installedSoFar + n);
        }
        return ask(source, r -> new VolumeReplica.ReadVnodes(wanted, r), Result.VnodeImages.class)
                .thenCompose(answer -> {
                    VnodeSync.Images images = answer.images();
                    List<Long> removed = new ArrayList<>(removals);
                    removed.addAll(images.missing()); // went at the source since the comparison
                    Set<Long> done = new HashSet<>(images.missing());
                    images.images().forEach(image -> done.add(image.vnode()));
                    List<Long> rest = wanted.stream().filter(n -> !done.contains(n)).toList();
                    return install(images.images(), images.incomplete(), removed)
                            .thenCompose(n -> completeDirectories(images, 0).thenApply(entries -> n + entries))
                            .thenCompose(n -> copyBatch(rest, List.of(), installedSoFar + n));
                });
    }

    private CompletionStage<Integer> install(List<VolumeSnapshot.VnodeRecord> images, List<Long> incomplete,
                                             List<Long> removed) {
        return ask(target, r -> new VolumeReplica.InstallVnodes(sourceIndex, images, incomplete, removed, r),
                Result.Installed.class).thenApply(Result.Installed::items);
    }

    /** Brings the rest of the entries of each directory the images carried only in part. */
    private CompletionStage<Integer> completeDirectories(VnodeSync.Images images, int index) {
        if (index >= images.incomplete().size()) {
            return CompletableFuture.completedFuture(0);
        }
        long vnode = images.incomplete().get(index);
        VolumeSnapshot.VnodeRecord image = images.images().stream().filter(i -> i.vnode() == vnode).findFirst()
                .orElseThrow();
        String lastName = image.entries().isEmpty() ? null : image.entries().get(image.entries().size() - 1).name();
        return entriesAfter(vnode, image.dataVersion(), lastName, 0)
                .thenCompose(n -> completeDirectories(images, index + 1).thenApply(m -> n + m));
    }

    private CompletionStage<Integer> entriesAfter(long vnode, long dataVersion, String afterName, int soFar) {
        return ask(source, r -> new VolumeReplica.ReadEntries(vnode, dataVersion, afterName, r),
                Result.DirectoryEntries.class)
                .thenCompose(slice -> {
                    List<VolumeSnapshot.EntryRecord> entries = slice.entries().entries();
                    boolean last = slice.entries().last();
                    return ask(target, r -> new VolumeReplica.InstallEntries(sourceIndex, vnode, entries,
                            last ? slice.version() : null, r), Result.Installed.class)
                            .thenCompose(installed -> last || entries.isEmpty()
                                    ? CompletableFuture.completedFuture(soFar + installed.items())
                                    : entriesAfter(vnode, dataVersion, entries.get(entries.size() - 1).name(),
                                    soFar + installed.items()));
                })
                // the directory changed at the source meanwhile: it stays incomplete (version 0) on the target,
                // so the next round copies it again
                .exceptionally(failure -> {
                    Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
                    if (!finalRound && cause instanceof CatchUpFailed failed && failed.stale) {
                        return soFar + 1;
                    }
                    throw failure instanceof RuntimeException re ? re : new CatchUpFailed(failure.toString(), false);
                });
    }

    /** The end of the last round: the source's retry window, then its volume vector and fid counters. */
    private CompletionStage<Outcome> complete(Result.Versions lastPage, Outcome outcome) {
        return adoptRecentRequests(0).thenCompose(adopted -> ask(target, r -> new VolumeReplica.CompleteCatchUp(
                sourceIndex, lastPage.volumeVector(), lastPage.nextVnode(), lastPage.nextUnique(), r),
                Result.Installed.class).thenApply(done -> outcome));
    }

    /**
     * The source's conflicts page by page (each cut to fit one message, as {@code strand repair list} reads them), the
     * first page replacing the target's: the target marks what the source marks, and only that (a source without
     * conflicts clears those the target kept from before).
     */
    private CompletionStage<Integer> adoptConflicts(int skip) {
        return ask(source, r -> new VolumeReplica.ListConflicts(skip, 0, r), Result.ConflictsPage.class)
                .thenCompose(page -> {
                    List<ConflictRecord> records = page.conflicts().stream().map(ConflictEntry::conflict).toList();
                    return ask(target, r -> new VolumeReplica.AdoptConflicts(sourceIndex, records, skip == 0, r),
                            Result.Installed.class)
                            .thenCompose(done -> page.last() || records.isEmpty()
                                    ? CompletableFuture.completedFuture(skip + records.size())
                                    : adoptConflicts(skip + records.size()));
                });
    }

    private CompletionStage<Integer> adoptRecentRequests(int skip) {
        if (skip >= MAX_RECENT_REQUESTS) {
            return CompletableFuture.completedFuture(skip);
        }
        return ask(source, r -> new VolumeReplica.ReadRecentRequests(skip, RECENT_REQUESTS_PAGE, r),
                Result.RecentRequestsPage.class)
                .thenCompose(page -> {
                    List<RecentRequests.Entry> entries = page.entries();
                    if (entries.isEmpty()) {
                        return CompletableFuture.completedFuture(skip);
                    }
                    // a page may come shorter than asked (cut to fit one message): only an empty one ends
                    return ask(target, r -> new VolumeReplica.AdoptRecentRequests(sourceIndex, entries, r),
                            Result.Installed.class)
                            .thenCompose(done -> adoptRecentRequests(skip + entries.size()));
                });
    }

    /** Asks one replica; an answer of another type (a refusal) or none fails the stage with why. */
    private <T extends Result> CompletionStage<T> ask(RecipientRef<Command> replica,
                                                      Function<ActorRef<Result>, Command> command, Class<T> expected) {
        int index = replica == source ? sourceIndex : targetIndex;
        return AskPattern.<Command, Result>ask(replica, command::apply, timeout, scheduler)
                .handle((answer, failure) -> {
                    if (expected.isInstance(answer)) {
                        return expected.cast(answer);
                    }
                    String why = failure != null ? "did not answer (" + failure.getClass().getSimpleName() + ")"
                            : answer instanceof Result.Rejected rejected
                            ? "refused: " + rejected.status() + " " + rejected.message()
                            : "answered " + answer;
                    throw new CatchUpFailed("replica " + index + " of volume " + volumeId + " " + why,
                            answer instanceof Result.Rejected rejected && rejected.status() == Status.STALE);
                });
    }
}
