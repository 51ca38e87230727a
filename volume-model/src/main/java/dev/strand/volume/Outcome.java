package dev.strand.volume;

import dev.strand.protocol.message.Reply;

/** What a {@link Mutation} decided: one event to commit, or nothing to change and the reply to give. */
public sealed interface Outcome {

    record Commit(VolumeEvent event) implements Outcome {}

    /** The request is already satisfied (a no-op rename, a create of a file that exists). */
    record Unchanged(Reply reply) implements Outcome {}
}
