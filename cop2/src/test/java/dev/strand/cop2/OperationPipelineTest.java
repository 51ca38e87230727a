package dev.strand.cop2;

import dev.strand.cop2.OperationPipeline.Answer;
import dev.strand.cop2.OperationPipeline.Finished;
import dev.strand.cop2.OperationPipeline.Outcome;
import dev.strand.cop2.OperationPipeline.Start;
import dev.strand.replication.StorageGroup;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class OperationPipelineTest {

    private final OperationIds ids = new OperationIds();

    private OperationPipeline<String, String> pipeline(StorageGroup group, int required) {
        ids.lease(OperationIds.FIRST, 1000);
        return new OperationPipeline<>(group, required, ids);
    }

    @Test
    void mutationsStartInArrivalOrderUpToTheInFlightLimit() {
        OperationPipeline<String, String> pipeline = pipeline(new StorageGroup(2), 1);
        for (int i = 0; i < OperationPipeline.MAX_IN_FLIGHT + 1; i++) {
            pipeline.enqueue("m" + i);
        }
        List<Start<String>> started = new java.util.ArrayList<>();
        for (Start<String> s = pipeline.next(); s != null; s = pipeline.next()) {
            started.add(s);
        }

        assertThat(started).hasSize(OperationPipeline.MAX_IN_FLIGHT);
        Start.Send<String> first = (Start.Send<String>) started.get(0);
        assertThat(first.mutation()).isEqualTo("m0");
        assertThat(first.targets()).containsExactly(0, 1);
        assertThat(((Start.Send<String>) started.get(1)).opId()).isEqualTo(first.opId() + 1);

        pipeline.answer(first.opId(), 0, Answer.COMMITTED, "done");
        pipeline.answer(first.opId(), 1, Answer.COMMITTED, "done");
        assertThat(((Start.Send<String>) pipeline.next()).mutation()).as("one finished, the next starts")
                .isEqualTo("m" + OperationPipeline.MAX_IN_FLIGHT);
    }

    @Test
    void aChangeIsRefusedBeforeCop1WhenTooFewReplicasAreAvailable() {
        StorageGroup group = new StorageGroup(3);
        group.markBehind(1);
        group.markBehind(2);
        OperationPipeline<String, String> pipeline = pipeline(group, 2);
        pipeline.enqueue("m");

        assertThat(pipeline.next()).isEqualTo(new Start.TooFewAvailable<>("m", 1, 3, 2));
        assertThat(pipeline.idle()).as("nothing sent").isTrue();
    }

    @Test
    void appliedOnFewerThanRequiredIsUnderReplicatedAndTheSilentReplicasAreBehind() {
        StorageGroup group = new StorageGroup(3);
        OperationPipeline<String, String> pipeline = pipeline(group, 2);
        pipeline.enqueue("m");
        long op = ((Start.Send<String>) pipeline.next()).opId();

        pipeline.answer(op, 0, Answer.COMMITTED, "done");
        pipeline.answer(op, 1, Answer.NONE, null);
        Finished<String, String> finished = pipeline.answer(op, 2, Answer.NONE, null);

        assertThat(finished.outcome()).isEqualTo(Outcome.UNDER_REPLICATED);
        assertThat(finished.updateSet()).containsExactly(0);
        assertThat(finished.missed()).containsExactly(1, 2);
        assertThat(group.available()).isEqualTo(1);
        assertThat(pipeline.takeUnsent(0)).as("its pending entry ends too").containsExactly(new UpdateSet(op, List.of(0)));
    }

    @Test
    void aVolumeOfOneReplicaOwesNoUpdateSets() {
        OperationPipeline<String, String> pipeline = pipeline(new StorageGroup(1), 1);
        pipeline.enqueue("m");
        long op = ((Start.Send<String>) pipeline.next()).opId();
        pipeline.answer(op, 0, Answer.COMMITTED, "done");
        assertThat(pipeline.anyUnsent()).isFalse();
    }

    @Test
    void noAnswerAtAllIsAnUnknownOutcomeAndARefusalEverywhereIsTheAnswer() {
        OperationPipeline<String, String> pipeline = pipeline(new StorageGroup(2), 1);
        pipeline.enqueue("a");
        pipeline.enqueue("b");
        long a = ((Start.Send<String>) pipeline.next()).opId();
        long b = ((Start.Send<String>) pipeline.next()).opId();

        pipeline.answer(a, 0, Answer.NONE, null);
        assertThat(pipeline.answer(a, 1, Answer.NONE, null).outcome()).isEqualTo(Outcome.NO_ANSWER);
        pipeline.answer(b, 0, Answer.REFUSED, "EXISTS");
        Finished<String, String> refused = pipeline.answer(b, 1, Answer.REFUSED, "EXISTS");
        assertThat(refused.outcome()).isEqualTo(Outcome.ANSWER);
        assertThat(refused.reply()).isEqualTo("EXISTS");
        assertThat(refused.missed()).as("nothing was applied: no one fell behind").isEmpty();
    }

    @Test
    void theUpdateSetGoesToEveryReplicaThatAppliedItAndRidesOnceOnly() {
        OperationPipeline<String, String> pipeline = pipeline(new StorageGroup(3), 1);
        pipeline.enqueue("m");
        long op = ((Start.Send<String>) pipeline.next()).opId();
        pipeline.answer(op, 0, Answer.COMMITTED, "done0");
        pipeline.answer(op, 1, Answer.COMMITTED, "done1");
        Finished<String, String> finished = pipeline.answer(op, 2, Answer.REFUSED, "NOT_FOUND");

        assertThat(finished.outcome()).isEqualTo(Outcome.ANSWER);
        assertThat(finished.reply()).as("the first replica that applied it").isEqualTo("done0");
        assertThat(finished.missed()).as("refused what others applied").containsExactly(2);
        assertThat(pipeline.takeUnsent(0)).containsExactly(new UpdateSet(op, List.of(0, 1)));
        assertThat(pipeline.takeUnsent(0)).isEmpty();
        assertThat(pipeline.takeUnsent(2)).as("not for one that did not apply it").isEmpty();
        assertThat(pipeline.committed().updateSetOf(op)).isEqualTo(0b011);
    }

    @Test
    void aReplicasBacklogOfUpdateSetsNeverExceedsTheCapAFullOneIsHandedOutAtOnce() {
        OperationPipeline<String, String> pipeline = pipeline(new StorageGroup(2), 1);
        List<Long> ops = new java.util.ArrayList<>();
        Finished<String, String> last = null;
        for (int i = 0; i < OperationPipeline.MAX_UNSENT_COP2 + 1; i++) {
            pipeline.enqueue("m" + i);
            long op = ((Start.Send<String>) pipeline.next()).opId();
            ops.add(op);
            pipeline.answer(op, 0, Answer.COMMITTED, "done");
            last = pipeline.answer(op, 1, Answer.COMMITTED, "done");
            if (i < OperationPipeline.MAX_UNSENT_COP2 - 1) {
                assertThat(last.cop2Now()).as("below the cap nothing goes at once").isEmpty();
            } else if (i == OperationPipeline.MAX_UNSENT_COP2 - 1) {
                assertThat(last.cop2Now()).as("a full batch for each replica").containsOnlyKeys(0, 1);
                assertThat(last.cop2Now().get(0)).hasSize(OperationPipeline.MAX_UNSENT_COP2);
                assertThat(last.cop2Now().get(0).get(0)).isEqualTo(new UpdateSet(ops.get(0), List.of(0, 1)));
            }
        }

        assertThat(last.cop2Now()).as("the backlog started again").isEmpty();
        assertThat(pipeline.takeUnsent(1)).as("only what came after the full batch")
                .containsExactly(new UpdateSet(ops.get(OperationPipeline.MAX_UNSENT_COP2), List.of(0, 1)));
    }

    @Test
    void whilePausedNothingStartsAndWithoutIdsNothingIsSent() {
        OperationPipeline<String, String> pipeline = new OperationPipeline<>(new StorageGroup(1), 1, ids);
        pipeline.enqueue("m");
        pipeline.pause();
        assertThat(pipeline.next()).isNull();
        pipeline.resume();

        assertThat(pipeline.next()).as("no lease yet").isEqualTo(new Start.NoOperationId<>("m"));
    }
}
