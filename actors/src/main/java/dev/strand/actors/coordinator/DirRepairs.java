package dev.strand.actors.coordinator;

import dev.strand.actors.volume.MeasuredPages;
import dev.strand.actors.registry.VolumeRegistry;
import dev.strand.actors.volume.VolumeReplica;
import dev.strand.actors.volume.VolumeReplica.Result;
import dev.strand.conflictrepair.RepairPlanner;
import dev.strand.conflictrepair.VnodeImages;
import dev.strand.volume.VolumeSnapshot.VnodeRecord;
import dev.strand.protocol.Status;
import dev.strand.protocol.message.Fid;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The coordinator's side of {@code strand repair dir} ({@link Repairs} holds the rest): reads every replica's version
 * of the directory, of each chosen name, of the objects the conflicts name and of the subtrees of directories bound to
 * the names, round after round as {@link RepairPlanner#repairDir} asks for more, then sends each replica its
 * {@code RepairNames} (a large repair's objects staged first, in parts), under the pause {@link Repairs} holds.
 */
final class DirRepairs {

    private final ActorContext<Object> context;
    private final GroupAsks asks;
    private final VolumeRegistry.VolumeRecord volume;
    private final dev.strand.volume.FrameBudget frames;
    private final org.apache.pekko.serialization.Serialization serialization;
    /** The pause, the answer and the outcome of a repair. */
    private final Repairs repairs;

    DirRepairs(ActorContext<Object> context, GroupAsks asks, VolumeRegistry.VolumeRecord volume,
               dev.strand.volume.FrameBudget frames, org.apache.pekko.serialization.Serialization serialization,
               Repairs repairs) {
        this.context = context;
        this.asks = asks;
        this.volume = volume;
        this.frames = frames;
        this.serialization = serialization;
        this.repairs = repairs;
    }

    /**
     * For each name chosen, replica {@code keep}'s binding becomes every replica's (see {@link
     * VolumeReplica.RepairDir}). Reads every replica's version of the directory, of each name and (with
     * rename-others) of each name the others would take first; any replica that does not answer: UNAVAILABLE,
     * nothing changed. {@link RepairPlanner#repairDir} decides; the directory and every object kept get one final
     * version dominating every earlier one.
     */
    void repairDir(VolumeReplica.RepairDir command) {
        int replicas = volume.replicaEntityIds().size();
        String invalid = RepairPlanner.dirChoiceInvalid(volume.name(), replicas, command.names(), command.keep());
        if (invalid != null) {
            command.replyTo().tell(new Result.Rejected(Status.INVALID_ARGUMENT, invalid));
            return;
        }
        repairs.paused(command.replyTo(), () -> readThenRepairDir(command));
    }

    private void readThenRepairDir(VolumeReplica.RepairDir command) {
        List<Map<String, RepairPlanner.Seen>> seen = new ArrayList<>(); // per replica, by name ("" the directory)
        List<Map<Fid, RepairPlanner.Seen>> byFid = new ArrayList<>(); // per replica, the objects read by fid
        List<Map<Fid, List<VnodeRecord>>> trees = new ArrayList<>(); // per replica, the subtrees read
        for (int i = 0; i < volume.replicaEntityIds().size(); i++) {
            seen.add(new java.util.HashMap<>());
            byFid.add(new java.util.HashMap<>());
            trees.add(new java.util.HashMap<>());
        }
        readDir(command, new DirChoices(new ArrayList<>(command.names()), new ArrayList<>(command.keep()),
                new ArrayList<>()), List.of(), new DirReads(seen, byFid, trees), 0);
    }

    /** Most rounds of reads one {@code repair dir} takes (the planner asks for more a few times at most). */
    private static final int MAX_DIR_READ_ROUNDS = 8;

    /** The names a {@code repair dir} settles: those of its directory (chosen or implied) and of others (implied). */
    private record DirChoices(List<String> names, List<Integer> keep, List<RepairPlanner.Choice> elsewhere) {}

    /**
     * What a {@code repair dir} read, per replica: its reports by name ({@code seen}, "" the directory), of objects by
     * fid ({@code byFid}), and the subtrees of directories bound to chosen names ({@code trees}, joined images).
     */
    private record DirReads(List<Map<String, RepairPlanner.Seen>> seen, List<Map<Fid, RepairPlanner.Seen>> byFid,
                            List<Map<Fid, List<VnodeRecord>>> trees) {}

    /** Reads from every replica what is not read yet of the choices' names and of {@code objects}. */
    private void readDir(VolumeReplica.RepairDir command, DirChoices choices, List<Fid> objects, DirReads done,
                         int round) {
        List<Map<String, RepairPlanner.Seen>> seen = done.seen();
        int replicas = seen.size();
        List<RepairPlanner.Read> reads = RepairPlanner.reads(command.dir(), choices.names(), choices.elsewhere(),
                command.renameOthers(), replicas).stream().filter(r -> !seen.get(0).containsKey(r.key())).toList();
        List<CompletableFuture<Result>> answers = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            for (RepairPlanner.Read read : reads) {
                answers.add(asks.askOrNull(i, r -> new VolumeReplica.ReadObjectVersion(read.dir(), read.name(), r)));
            }
            for (Fid object : objects) { // no name: the object itself
                answers.add(asks.askOrNull(i, r -> new VolumeReplica.ReadObjectVersion(object, null, r)));
            }
        }
        asks.whenAll(answers, flat -> decideDir(command, choices, reads, objects, flat, done, round));
    }

    private void decideDir(VolumeReplica.RepairDir command, DirChoices choices, List<RepairPlanner.Read> reads,
                           List<Fid> objects, List<Result> flat, DirReads read, int round) {
        List<Map<String, RepairPlanner.Seen>> seen = read.seen();
        List<Map<Fid, RepairPlanner.Seen>> byFid = read.byFid();
        int replicas = seen.size();
        int perReplica = reads.size() + objects.size();
        for (int i = 0; i < replicas; i++) {
            for (int j = 0; j < perReplica; j++) {
                Result answer = flat.get(i * perReplica + j);
                if (!(answer instanceof Result.ObjectVersions v) || v.versions().isEmpty()) {
                    repairs.answer(command.replyTo(), new Result.Rejected(Status.UNAVAILABLE, "replica " + i + " ("
                            + volume.replicaEntityIds().get(i) + ") of volume '" + volume.name() + "' did not answer"
                            + (answer instanceof Result.Rejected r ? " (" + r.message() + ")" : "")
                            + "; a repair needs every replica; nothing was changed"));
                    return;
                }
                if (j < reads.size()) {
                    seen.get(i).put(reads.get(j).key(), Repairs.seen(v.versions().get(0)));
                } else {
                    byFid.get(i).put(objects.get(j - reads.size()), Repairs.seen(v.versions().get(0)));
                }
            }
        }
        var decision = RepairPlanner.repairDir(command.dir(), choices.names(), choices.keep(), choices.elsewhere(),
                command.renameOthers(), seen, byFid, read.trees(), RepairPlanner.MAX_REPAIR_BYTES,
                System.currentTimeMillis());
        if (decision instanceof RepairPlanner.ReadFirst more) { // names the conflicts imply, objects bound elsewhere
            if (round + 1 >= MAX_DIR_READ_ROUNDS) {
                repairs.answer(command.replyTo(), new Result.Rejected(Status.INTERNAL, "the repair of " + choices.names()
                        + " in " + command.dir() + " still needs " + more + " after " + MAX_DIR_READ_ROUNDS
                        + " reads; nothing was changed"));
                return;
            }
            for (RepairPlanner.Choice c : more.choices()) {
                if (c.dir().equals(command.dir())) {
                    choices.names().add(c.name());
                    choices.keep().add(c.keep());
                } else {
                    choices.elsewhere().add(c);
                }
            }
            if (more.trees().isEmpty()) {
                readDir(command, choices, more.objects(), read, round + 1);
            } else {
                readTrees(command, more.trees(), read, () -> readDir(command, choices, more.objects(), read,
                        round + 1));
            }
            return;
        }
        if (decision instanceof RepairPlanner.Refused refused) {
            repairs.answer(command.replyTo(), new Result.Rejected(refused.status(), refused.message()));
            return;
        }
        RepairPlanner.NamesRepair repair = (RepairPlanner.NamesRepair) decision;
        Fid dirFid = repair.dir();
        int bytes = serialization.serialize(new VolumeReplica.RepairNames(dirFid, repair.names(), repair.bindings(),
                repair.objects(), repair.dropped(), repair.dirStamp(), repair.cleared(), repair.others(), null, 0))
                .get().length;
        if (bytes <= frames.pageBytes()) { // one message per replica
            performNames(command, repair, repair.objects(), repair.dropped(), 0);
            return;
        }
        // a directory kept with its subtree: its objects go first, in parts, to every replica; then the one write
        int alone = serialization.serialize(new VolumeReplica.RepairNames(dirFid, repair.names(), repair.bindings(),
                List.of(), List.of(), repair.dirStamp(), repair.cleared(), repair.others(), null, 1)).get().length;
        if (alone > frames.pageBytes()) {
            repairs.answer(command.replyTo(), new Result.Rejected(Status.INVALID_ARGUMENT, "the repair of "
                    + repair.names().size() + " names takes " + alone + " bytes, more than one message holds: repair"
                    + " fewer names at a time"));
            return;
        }
        long id = java.util.concurrent.ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        List<VolumeReplica.StageRepair> parts = stageParts(id, repair);
        List<CompletableFuture<Result>> staged = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            staged.add(stage(i, parts, 0));
        }
        asks.whenAll(staged, done -> {
            for (int i = 0; i < done.size(); i++) {
                if (!(done.get(i) instanceof Result.Installed)) {
                    repairs.answer(command.replyTo(), new Result.Rejected(Status.UNAVAILABLE, "replica " + i
                            + " (" + volume.replicaEntityIds().get(i) + ") of volume '"
                            + volume.name() + "' did not take the repair's objects"
                            + (done.get(i) instanceof Result.Rejected r ? " (" + r.message() + ")"
                            : "") + "; nothing was changed"));
                    return;
                }
            }
            performNames(command, repair, List.of(), List.of(), id);
        });
    }

    /**
     * The repair's objects and removals as {@link VolumeReplica.StageRepair} parts that each fit one message, as a
     * resolution stages its steps ({@link MeasuredPages}: each part measured whole): a directory's entries cut into
     * pieces of half a page ({@link VnodeImages#inPieces}), joined again by the replica.
     */
    private List<VolumeReplica.StageRepair> stageParts(long id, RepairPlanner.NamesRepair repair) {
        List<Object> items = new ArrayList<>();
        for (VnodeRecord object : repair.objects()) {
            items.addAll(VnodeImages.inPieces(object, frames.pageBytes() / 2));
        }
        items.addAll(repair.dropped());
        return MeasuredPages.all(items, page -> stagePart(id, page),
                        message -> serialization.serialize(message).get().length, frames.pageBytes()).stream()
                .map(page -> stagePart(id, page)).toList();
    }

    private static VolumeReplica.StageRepair stagePart(long id, List<Object> items) {
        List<VnodeRecord> objects = new ArrayList<>();
        List<Fid> dropped = new ArrayList<>();
        for (Object item : items) {
            if (item instanceof VnodeRecord object) {
                objects.add(object);
            } else {
                dropped.add((Fid) item);
            }
        }
        return new VolumeReplica.StageRepair(id, objects, dropped, null);
    }

    /** Sends {@code parts} from {@code next} on to replica {@code replica}, one after the other: the last answer. */
    private CompletableFuture<Result> stage(int replica, List<VolumeReplica.StageRepair> parts,
                                                                int next) {
        VolumeReplica.StageRepair part = parts.get(next);
        return asks.askOrNull(replica, r -> new VolumeReplica.StageRepair(part.repair(), part.objects(),
                        part.dropped(), r))
                .thenCompose(answer -> answer instanceof Result.Installed && next + 1 < parts.size()
                        ? stage(replica, parts, next + 1) : CompletableFuture.completedFuture(answer));
    }

    /** Every replica performs the repair in one write ({@code staged}: the objects it holds for it first). */
    private void performNames(VolumeReplica.RepairDir command, RepairPlanner.NamesRepair repair,
                              List<VnodeRecord> objects, List<Fid> dropped, long staged) {
        Fid dirFid = repair.dir();
        List<CompletableFuture<Result>> answers = new ArrayList<>();
        for (int i = 0; i < volume.replicaEntityIds().size(); i++) {
            answers.add(asks.askOrNull(i, r -> new VolumeReplica.RepairNames(dirFid, repair.names(), repair.bindings(),
                    objects, dropped, repair.dirStamp(), repair.cleared(), repair.others(), r, staged)));
        }
        asks.whenAll(answers, done -> repairs.finished(command.replyTo(), "the repair of " + repair.names() + " in "
                + dirFid, done));
    }

    /**
     * Reads each of {@code wanted} (a directory's whole subtree on one replica) page by page into {@code read}'s
     * trees, then runs {@code then}; any replica that does not answer: UNAVAILABLE, nothing changed; a subtree past
     * {@link RepairPlanner#MAX_REPAIR_BYTES}: INVALID_ARGUMENT, without reading the rest.
     */
    private void readTrees(VolumeReplica.RepairDir command, List<RepairPlanner.Tree> wanted, DirReads read,
                           Runnable then) {
        List<CompletableFuture<Result>> answers = new ArrayList<>();
        List<List<VnodeRecord>> pieces = new ArrayList<>();
        for (RepairPlanner.Tree tree : wanted) {
            List<VnodeRecord> into = java.util.Collections.synchronizedList(new ArrayList<>());
            pieces.add(into);
            answers.add(readTree(tree, into, 0));
        }
        asks.whenAll(answers, done -> {
            for (int t = 0; t < wanted.size(); t++) {
                RepairPlanner.Tree tree = wanted.get(t);
                Result answer = done.get(t);
                if (answer instanceof Result.Rejected r && r.status() == Status.INVALID_ARGUMENT) {
                    repairs.answer(command.replyTo(), r);
                    return;
                }
                if (!(answer instanceof Result.ResolutionImages)) {
                    repairs.answer(command.replyTo(), new Result.Rejected(Status.UNAVAILABLE, "replica "
                            + tree.replica() + " (" + volume.replicaEntityIds().get(tree.replica())
                            + ") of volume '" + volume.name() + "' did not answer the reading of"
                            + " directory " + tree.dir() + (answer instanceof Result.Rejected r
                            ? " (" + r.message() + ")" : "") + "; a repair needs every replica;"
                            + " nothing was changed"));
                    return;
                }
                read.trees().get(tree.replica()).put(tree.dir(),
                        VnodeImages.joinPieces(List.copyOf(pieces.get(t))));
            }
            then.run();
        });
    }

    /**
     * Most bytes of one subtree the coordinator reads (by {@link RepairPlanner#imageBytes}): a subtree it removes costs
     * far less to write than to read (32 bytes per object), so it reads up to four times what one repair writes and
     * the planner decides.
     */
    private static final long MAX_SUBTREE_READ_BYTES = 4 * RepairPlanner.MAX_REPAIR_BYTES;

    /** Reads {@code tree}'s pages into {@code into} ({@code bytes} read so far): the last page, or why not. */
    private CompletableFuture<Result> readTree(RepairPlanner.Tree tree, List<VnodeRecord> into,
                                                                   long bytes) {
        return asks.askOrNull(tree.replica(), r -> new VolumeReplica.ReadSubtree(tree.dir(), into.size(), r))
                .thenCompose(answer -> {
                    if (!(answer instanceof Result.ResolutionImages page)) {
                        return CompletableFuture.completedFuture(answer);
                    }
                    into.addAll(page.images());
                    long read = bytes + page.images().stream().mapToLong(RepairPlanner::imageBytes).sum();
                    if (read > MAX_SUBTREE_READ_BYTES) { // too large to keep, and to remove in one write
                        return CompletableFuture.completedFuture(new Result.Rejected(
                                Status.INVALID_ARGUMENT, "replica " + tree.replica() + "'s directory " + tree.dir()
                                + " holds more than " + MAX_SUBTREE_READ_BYTES + " bytes of objects: more than one"
                                + " repair writes at once (" + RepairPlanner.MAX_REPAIR_BYTES + " bytes, half of what"
                                + " one atomic Cassandra write may hold); 'repair dir' cannot settle a directory"
                                + " this large; nothing was changed"));
                    }
                    return page.more() && !page.images().isEmpty() ? readTree(tree, into, read)
                            : CompletableFuture.completedFuture(answer);
                });
    }
}
