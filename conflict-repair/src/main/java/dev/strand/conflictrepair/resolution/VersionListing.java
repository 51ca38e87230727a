package dev.strand.conflictrepair.resolution;

import dev.strand.conflictrepair.DifferingScan;
import dev.strand.conflictrepair.resolution.Participants.VersionsPage;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A full comparison's listing of the replicas' vnode versions, page by page, compared in step. */
final class VersionListing {

    private VersionListing() {}

    /** A scan of the replicas' versions as far as it went; {@code missing}: a replica that did not list, or -1. */
    record Scanned(DifferingScan scan, int missing) {}

    /**
     * The replicas' versions, compared in step as their pages come (the scan holds at most a page per replica and
     * stops once more differ than one comparison reads): each round asks the replicas whose pages were all compared.
     * One round at a time: no other thread touches the scan meanwhile.
     */
    static CompletionStage<Scanned> scan(Participants participants, DifferingScan scan) {
        List<Integer> wanted = scan.wanted();
        if (wanted.isEmpty()) {
            return CompletableFuture.completedFuture(new Scanned(scan, -1));
        }
        List<CompletableFuture<Answers.Answer<VersionsPage>>> pages = new ArrayList<>();
        for (int replica : wanted) {
            CompletionStage<VersionsPage> asked;
            try {
                asked = participants.listVersions(replica, scan.after(replica));
            } catch (RuntimeException e) {
                asked = CompletableFuture.failedFuture(e);
            }
            pages.add(asked.toCompletableFuture().handle((page, failure) -> new Answers.Answer<>(page,
                    Answers.unwrap(failure))));
        }
        return CompletableFuture.allOf(pages.toArray(CompletableFuture[]::new)).thenCompose(ok -> {
            for (int i = 0; i < wanted.size(); i++) {
                Answers.Answer<VersionsPage> answer = pages.get(i).join();
                if (answer.failure() != null || answer.value() == null) {
                    return CompletableFuture.completedFuture(new Scanned(scan, wanted.get(i)));
                }
                scan.take(wanted.get(i), answer.value().summaries(), answer.value().last());
            }
            scan.compare();
            return scan(participants, scan);
        });
    }
}
