package dev.strand.conflictrepair;

import dev.strand.protocol.message.FileType;
import dev.strand.replication.VersionVector;
import dev.strand.volume.VolumeSnapshot.EntryRecord;
import dev.strand.volume.VolumeSnapshot.VnodeRecord;

import java.util.ArrayList;
import java.util.List;

/**
 * Prints what planning full comparison rounds costs: {@code files} files created on replica 0 only in one directory
 * (which dominates there), walked in rounds of {@code round} (a page of numbers with the smallest frame), each round
 * split and decided as the coordinator does, the directory read again as every later round's parent. Not a test:
 * {@code java -cp ... dev.strand.conflictrepair.ComparisonRoundsBench [files] [round]}.
 */
public final class ComparisonRoundsBench {

    private static final java.lang.management.ThreadMXBean CPU =
            java.lang.management.ManagementFactory.getThreadMXBean();

    private ComparisonRoundsBench() {}

    public static void main(String[] args) {
        int files = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int round = args.length > 1 ? Integer.parseInt(args[1]) : 14_563;
        long dirVnode = 2;
        List<EntryRecord> entries = new ArrayList<>();
        for (int i = 0; i < files; i++) {
            entries.add(new EntryRecord("file-" + i, 100 + i, 1, FileType.FILE));
        }
        VnodeRecord root = new VnodeRecord(1, 1, FileType.DIRECTORY, 0755, "o", 0, 2, 1, 1, 1, vv(1, 1), null, 0, null,
                1, List.of(new EntryRecord("d", dirVnode, 1, FileType.DIRECTORY)));
        VnodeRecord onZero = dir(dirVnode, vv(files + 1, 1), entries);
        VnodeRecord onOne = dir(dirVnode, vv(1, 1), List.of());
        for (int run = 0; run < 3; run++) {
            long started = CPU.getCurrentThreadCpuTime();
            ComparisonRounds.Carried carried = ComparisonRounds.Carried.start();
            int rounds = 0;
            int steps = 0;
            long splitNanos = 0;
            List<Long> differing = new ArrayList<>();
            differing.add(dirVnode);
            for (int i = 0; i < files; i++) {
                differing.add(100L + i);
            }
            for (int from = 0; from < differing.size(); from += round) {
                List<Long> listed = differing.subList(from, Math.min(differing.size(), from + round));
                boolean last = from + round >= differing.size();
                long upTo = last ? Long.MAX_VALUE : listed.get(listed.size() - 1);
                List<Long> candidates = ComparisonRounds.candidates(listed, carried);
                List<VnodeRecord> zero = new ArrayList<>();
                List<VnodeRecord> one = new ArrayList<>();
                if (candidates.contains(dirVnode)) {
                    zero.add(root);
                    zero.add(onZero);
                    one.add(root);
                    one.add(onOne);
                }
                for (long v : candidates) {
                    if (v != dirVnode) {
                        zero.add(new VnodeRecord(v, 1, FileType.FILE, 0644, "o", 0, 1, 1, 1, 1, vv(1, 0), null, 0,
                                null, dirVnode, List.of()));
                    }
                }
                List<List<VnodeRecord>> images = List.of(zero, one);
                long t0 = CPU.getCurrentThreadCpuTime();
                ComparisonRounds.Split split = ComparisonRounds.split(candidates, upTo, last, carried, images);
                splitNanos += CPU.getCurrentThreadCpuTime() - t0;
                List<List<VnodeRecord>> parents = split.parents().isEmpty() ? List.of(List.of(), List.of())
                        : List.of(List.of(root, onZero), List.of(root, onZero)); // replica 1 holds it since round 1
                ComparisonRounds.Round decided = ComparisonRounds.decide(7, split, upTo, images, parents);
                steps += decided.plan().steps().values().stream().mapToInt(List::size).sum();
                carried = decided.carried();
                rounds++;
            }
            System.out.printf("%,d files in rounds of %,d: %d rounds, %,d steps, %,d ms of CPU (splitting %,d ms)%n", files,
                    round, rounds, steps, (CPU.getCurrentThreadCpuTime() - started) / 1_000_000, splitNanos / 1_000_000);
        }
    }

    private static VnodeRecord dir(long vnode, VersionVector vector, List<EntryRecord> entries) {
        return new VnodeRecord(vnode, 1, FileType.DIRECTORY, 0755, "o", 0, 2, 1, 1, 2, vector, null, 0, null, 1,
                entries);
    }

    private static VersionVector vv(long... counters) {
        return VersionVector.fromList(java.util.Arrays.stream(counters).boxed().toList());
    }
}
