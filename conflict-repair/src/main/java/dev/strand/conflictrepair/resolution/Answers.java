package dev.strand.conflictrepair.resolution;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.IntFunction;

/** The replicas' answers to one of a resolution coordinator's asks, and what is said about them. */
final class Answers {

    private Answers() {}

    /** One replica's answer, or why there is none. */
    record Answer<T>(T value, Throwable failure) {}

    /** Asks every replica at once; completes (never exceptionally) once each has answered or failed. */
    static <T> CompletableFuture<List<Answer<T>>> everyReplica(Participants participants,
                                                               IntFunction<CompletionStage<T>> ask) {
        List<CompletableFuture<Answer<T>>> answers = new ArrayList<>();
        for (int i = 0; i < participants.count(); i++) {
            CompletionStage<T> asked;
            try {
                asked = ask.apply(i);
            } catch (RuntimeException e) {
                asked = CompletableFuture.failedFuture(e);
            }
            answers.add(asked.toCompletableFuture().handle((value, failure) -> new Answer<>(value,
                    unwrap(failure))));
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                .thenApply(ok -> answers.stream().map(CompletableFuture::join).toList());
    }

    static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    /** Which replica gave no answer, and why (null: all did). */
    static <T> String missing(List<Answer<T>> answers) {
        int i = firstMissing(answers);
        return i < 0 ? null : "replica " + i + why(answers.get(i).failure());
    }

    /** The first replica that gave no answer, or -1. */
    static <T> int firstMissing(List<Answer<T>> answers) {
        for (int i = 0; i < answers.size(); i++) {
            if (answers.get(i).failure() != null || answers.get(i).value() == null) {
                return i;
            }
        }
        return -1;
    }

    static String why(Throwable failure) {
        return failure instanceof Participants.Refused r ? " refused: " + r.getMessage() : " did not answer";
    }

    static <T> List<T> values(List<Answer<T>> answers) {
        return answers.stream().map(Answer::value).toList();
    }

    static List<Integer> range(int n) {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(i);
        }
        return all;
    }
}
