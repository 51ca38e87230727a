package dev.strand.actors.volume;

import dev.strand.actors.FrameSizes;
import dev.strand.cop2.OperationIds;
import dev.strand.protocol.message.Attr;
import dev.strand.protocol.message.Create;
import dev.strand.protocol.message.Fid;
import dev.strand.protocol.message.MkDir;
import dev.strand.protocol.message.Reply;
import dev.strand.protocol.message.Request;
import dev.strand.volume.Mutation;
import dev.strand.volume.Origin;
import dev.strand.volume.RecentRequests;
import dev.strand.volume.Outcome;
import dev.strand.volume.VnodeVersion;
import dev.strand.volume.Volume;
import dev.strand.volume.VolumeEvent;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The heap figure, as a benchmark (it prints figures and JSON, asserts nothing): replica 0 of a group of 3
 * builds a volume of {@code strand.bench.files} empty files through the mutation path a replica runs (plan, the
 * event, the event handler, the operation's COP1 record and its COP2 from the other two replicas), once with every
 * file in one directory and once spread over directories of 1,000, and reports:
 * <ul>
 *   <li>retained heap per file: heap used after full GCs with the volume alive, minus before it was built;</li>
 *   <li>what holds it: the difference of two class histograms ({@code jcmd PID GC.class_histogram}), per file;</li>
 *   <li>the snapshot's bytes per file, through the serializer the snapshot store uses.</li>
 * </ul>
 * and the same for the volume of directories as a restarted replica holds it: its snapshot deserialized and loaded.
 * Each request comes with its own principal string, as requests decoded from the wire and events read from the
 * journal do. Not a *Test: {@code mvn test} does not run it;
 * {@code mvn -B -o -pl actors -am test -Dtest=VolumeHeapBench -Dsurefire.failIfNoSpecifiedTests=false
 * -Dstrand.bench.files=1000000} does. Parameters: {@code strand.bench.files} (100000),
 * {@code strand.bench.snapshot} (true). Writes target/volume-heap-bench.json.
 */
class VolumeHeapBench {

    private static final int REPLICAS = 3;
    private static final int PER_DIRECTORY = 1000;

    private record Figures(String layout, int files, double heapBytesPerFile, double snapshotBytesPerFile,
                           List<String> holders) {}

    @Test
    void run() throws Exception {
        int files = Integer.getInteger("strand.bench.files", 100_000);
        boolean snapshot = Boolean.parseBoolean(System.getProperty("strand.bench.snapshot", "true"));
        List<Figures> results = new ArrayList<>();
        try (FrameSizes sizes = new FrameSizes()) {
            for (String layout : List.of("one-directory", "directories-of-1000")) {
                results.add(measure(layout, files, snapshot ? sizes : null, false));
            }
            if (snapshot) { // what a replica holds after it restarted: its snapshot deserialized and loaded
                results.add(measure("directories-of-1000-recovered", files, sizes, true));
            }
        }
        StringBuilder json = new StringBuilder("{\"files\":").append(files).append(",\"replicas\":").append(REPLICAS)
                .append(",\"layouts\":[");
        for (int i = 0; i < results.size(); i++) {
            Figures f = results.get(i);
            json.append(i == 0 ? "" : ",").append(String.format(
                    "{\"layout\":\"%s\",\"heapBytesPerFile\":%.1f,\"snapshotBytesPerFile\":%.1f}", f.layout(),
                    f.heapBytesPerFile(), f.snapshotBytesPerFile()));
        }
        json.append("]}\n");
        System.out.print(json);
        Files.writeString(Path.of("target", "volume-heap-bench.json"), json);
    }

    private Figures measure(String layout, int files, FrameSizes sizes, boolean recovered) throws Exception {
        byte[] serialized = null;
        if (recovered) {
            serialized = serialization(sizes).serialize(build(layout, files).toSnapshotWithRecentRequests()).get();
        }
        long before = usedHeapAfterGc();
        Map<String, long[]> histogramBefore = histogram();
        Volume volume = recovered ? Volume.fromSnapshot(deserialize(sizes, serialized)) : build(layout, files);
        long after = usedHeapAfterGc();
        Map<String, long[]> histogramAfter = histogram();
        Reference.reachabilityFence(serialized); // held across both measurements: not part of the difference
        double perFile = (after - before) / (double) files;
        List<String> holders = holders(histogramBefore, histogramAfter, files);
        double snapshotPerFile = Double.NaN;
        if (sizes != null) {
            snapshotPerFile = sizes.bytes(volume.toSnapshotWithRecentRequests()) / (double) files;
        }
        System.out.printf("[VolumeHeapBench] %s: %,d files (%,d vnodes): %.1f bytes of heap per file, snapshot %.1f"
                + " bytes per file%n", layout, files, volume.vnodeCount(), perFile, snapshotPerFile);
        holders.forEach(h -> System.out.println("[VolumeHeapBench]   " + h));
        return new Figures(layout, files, perFile, snapshotPerFile, holders);
    }

    private static Serialization serialization(FrameSizes sizes) {
        return SerializationExtension.get(sizes.system().classicSystem());
    }

    private static RecentRequests.Snapshot deserialize(FrameSizes sizes, byte[] bytes) throws Exception {
        RecentRequests.Snapshot any = Volume.uninitialized().toSnapshotWithRecentRequests();
        Serializer serializer = serialization(sizes).findSerializerFor(any);
        String manifest = Serializers.manifestFor(serializer, any);
        return (RecentRequests.Snapshot) serialization(sizes).deserialize(bytes, serializer.identifier(), manifest)
                .get();
    }

    /** The volume, built as replica 0 of the group builds it; nothing else keeps its events. */
    private static Volume build(String layout, int files) {
        Builder builder = new Builder();
        Fid dir = builder.root();
        for (int i = 0; i < files; i++) {
            if (layout.startsWith("directories") && i % PER_DIRECTORY == 0) {
                dir = ((Attr) builder.mutate(new MkDir(builder.root(), String.format("dir-%05d", i / PER_DIRECTORY),
                        0755))).fid();
            }
            builder.mutate(new Create(dir, String.format("file-%07d", i), 0644, true));
        }
        return builder.volume;
    }

    private static final class Builder {
        Volume volume = Volume.uninitialized();
        private long clock = 1_700_000_000_000L;
        private long requestId;
        private long opId = OperationIds.FIRST;

        Builder() {
            volume = volume.apply(new VolumeEvent.VolumeInitialized(42, "bench", clock, 0, REPLICAS, "anonymous",
                    VnodeVersion.initial(REPLICAS)));
        }

        Fid root() {
            return volume.rootFid();
        }

        /** COP1 (the operation's event and its record, persisted together) then COP2 from replicas 1 and 2. */
        Reply mutate(Request request) {
            long op = ++opId;
            // a string of its own per request, as one decoded from a frame or read from the journal is
            Origin origin = new Origin("client-" + (requestId % 4), ++requestId, new String("anonymous"), ++clock);
            Mutation mutation = Mutation.of(request, origin).underOperation(op);
            VolumeEvent event = ((Outcome.Commit) mutation.plan(volume)).event();
            volume = volume.apply(event);
            List<Long> touched = Volume.touchedVnodes(event);
            volume = volume.apply(new VolumeEvent.OperationRecorded(op, touched, clock));
            Reply reply = mutation.reply(volume);
            volume = volume.apply(new VolumeEvent.Cop2Applied(op, List.of(1, 2), touched));
            return reply;
        }
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100); // not synchronisation: lets a concurrent collector's cleanup finish before reading
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** Class name to {instances, bytes}, from jcmd on this JVM (empty if jcmd is not there). */
    private static Map<String, long[]> histogram() throws IOException, InterruptedException {
        Map<String, long[]> classes = new HashMap<>();
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        Process process;
        try {
            process = new ProcessBuilder(jcmd, Long.toString(ProcessHandle.current().pid()), "GC.class_histogram")
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            return classes;
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        for (String line : out.split("\n")) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length >= 4 && cols[0].endsWith(":")) {
                classes.put(cols[3], new long[] {Long.parseLong(cols[1]), Long.parseLong(cols[2])});
            }
        }
        return classes;
    }

    /** The classes whose instances grew most, in bytes per file. */
    private static List<String> holders(Map<String, long[]> before, Map<String, long[]> after, int files) {
        record Grown(String name, long instances, long bytes) {}
        List<Grown> grown = new ArrayList<>();
        after.forEach((name, counts) -> {
            long[] old = before.getOrDefault(name, new long[2]);
            grown.add(new Grown(name, counts[0] - old[0], counts[1] - old[1]));
        });
        grown.sort((a, b) -> Long.compare(b.bytes(), a.bytes()));
        List<String> lines = new ArrayList<>();
        for (Grown g : grown.subList(0, Math.min(12, grown.size()))) {
            lines.add(String.format("%-60s %6.2f instances, %6.1f bytes per file", g.name(),
                    g.instances() / (double) files, g.bytes() / (double) files));
        }
        return lines;
    }
}
