package dev.strand.actors.cluster;

import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;

/**
 * Every entity is its own shard (shard id = entity id), so that the allocation strategy places each volume
 * replica on its own rather than a hash bucket of unrelated ones.
 */
public final class ShardPerEntityExtractor<M> extends ShardingMessageExtractor<ShardingEnvelope<M>, M> {

    @Override
    public String entityId(ShardingEnvelope<M> envelope) {
        return envelope.entityId();
    }

    @Override
    public String shardId(String entityId) {
        return entityId;
    }

    @Override
    public M unwrapMessage(ShardingEnvelope<M> envelope) {
        return envelope.message();
    }
}
