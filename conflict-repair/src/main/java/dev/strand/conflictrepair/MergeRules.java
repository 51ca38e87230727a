package dev.strand.conflictrepair;

import dev.strand.conflictrepair.OpEffects.NameKey;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongPredicate;

/**
 * THE RULES of the log merge, in one table (docs/architecture.md, "Resolution", has the same table). They judge two
 * <em>concurrent</em> operations: no replica performed both (a replica that performed both already decided them, in
 * order). The first rule that matches decides; two concurrent operations that match none merge: each is performed
 * where it is missing.
 *
 * <pre>
 * | rule              | a (one side)                          | b (other side)                                   | verdict              |
 * |-------------------|---------------------------------------|--------------------------------------------------|----------------------|
 * | fid reused        | creates fid F                         | creates fid F (another object)                   | FID_REUSED           |
 * | same removal      | removes name n of F                   | removes the same name n of F                     | merge: done on both  |
 * | remove/update     | removes object X (file or directory)  | touches X: changes its data, links, name, or     | REMOVE_UPDATE on X   |
 * |                   |                                       | (X a directory) creates, removes, moves in it    |                      |
 * | name/name         | binds name n in D (create, link,      | binds n in D to another object                   | NAME_NAME on D/n     |
 * |                   | rename's target)                      |                                                  |                      |
 * | rename/rename     | unbinds n in D (rename, unlink)       | unbinds n in D another way                       | RENAME_RENAME on D/n |
 * | update/update     | changes F's contents or attributes    | changes F's contents or attributes               | UPDATE_UPDATE on F,  |
 * |                   |                                       |                                                  | unless weakly equal  |
 * | (anything else)   | e.g. names created in one directory,  | a rename of an object the other side left alone  | merge                |
 * |                   | or changed the data of (rename/store)                                                    |                      |
 * </pre>
 *
 * Weakly equal (Coda's weak equality): every replica that holds F holds the same contents and attributes, although its
 * vectors differ; then the vectors are merged and nothing is copied. Beyond the table, an operation that the rules
 * merge but that the other replica's state refuses (a rename that would put a directory below itself, an operation
 * on an object another conflict held back) is {@link Conflict.Kind#REPLAY_REFUSED}: held back, never forced.
 */
final class MergeRules {

    private MergeRules() {}

    /** What the rules say about two concurrent operations. */
    record Verdict(Conflict.Kind kind, boolean sameEffect, Set<Long> objects, Set<NameKey> names, String rule) {

        static final Verdict MERGE = new Verdict(null, false, Set.of(), Set.of(), "merge");

        boolean isConflict() {
            return kind != null;
        }
    }

    private interface Rule {
        Verdict judge(OpEffects a, OpEffects b, LongPredicate weaklyEqual);
    }

    private static final List<Rule> TABLE = List.of(
            // fid reused: the same fid for two objects cannot be one object on every replica
            (a, b, weak) -> conflictOn(Conflict.Kind.FID_REUSED, "fid reused", both(a.creates(), b.creates()), Set.of()),
            // same removal: both did the same thing; it is done everywhere already
            (a, b, weak) -> !a.removes().isEmpty() && a.creates().isEmpty() && a.binds().isEmpty()
                    && a.unbinds().equals(b.unbinds()) && a.removes().equals(b.removes()) && b.binds().isEmpty()
                    ? new Verdict(null, true, Set.of(), Set.of(), "same removal") : null,
            (a, b, weak) -> removeUpdate(a, b),
            (a, b, weak) -> removeUpdate(b, a),
            (a, b, weak) -> onName(Conflict.Kind.NAME_NAME, "name/name", both(a.binds(), b.binds()), a, b),
            (a, b, weak) -> onName(Conflict.Kind.RENAME_RENAME, "rename/rename", both(a.unbinds(), b.unbinds()), a, b),
            (a, b, weak) -> {
                Set<Long> updated = both(a.dataChanges(), b.dataChanges());
                updated.removeIf(weak::test);
                return conflictOn(Conflict.Kind.UPDATE_UPDATE, "update/update", updated, Set.of());
            });

    static Verdict judge(OpEffects a, OpEffects b, LongPredicate weaklyEqual) {
        for (Rule rule : TABLE) {
            Verdict v = rule.judge(a, b, weaklyEqual);
            if (v != null) {
                return v;
            }
        }
        return Verdict.MERGE;
    }

    private static Verdict removeUpdate(OpEffects removing, OpEffects other) {
        return conflictOn(Conflict.Kind.REMOVE_UPDATE, "remove/update", both(removing.removes(), other.touches()),
                Set.of());
    }

    private static Verdict conflictOn(Conflict.Kind kind, String rule, Set<Long> objects, Set<NameKey> names) {
        return objects.isEmpty() && names.isEmpty() ? null : new Verdict(kind, false, objects, names, rule);
    }

    /** For name rules: the name decides; the objects either side created there are in the conflict too. */
    private static Verdict onName(Conflict.Kind kind, String rule, Set<NameKey> names, OpEffects a, OpEffects b) {
        if (names.isEmpty()) {
            return null;
        }
        Set<Long> objects = new LinkedHashSet<>(a.creates());
        objects.addAll(b.creates());
        return new Verdict(kind, false, objects, names, rule);
    }

    private static <T> Set<T> both(Set<T> x, Set<T> y) {
        Set<T> common = new LinkedHashSet<>(x);
        common.retainAll(y);
        return common;
    }
}
