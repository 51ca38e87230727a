package dev.strand.protocol;

import dev.strand.protocol.error.UnderReplicatedException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class UnderReplicatedStatusTest {

    @Test
    void code70IsAChangeAppliedOnTooFewReplicasWithItsOwnException() {
        Status status = Status.fromCode(70);

        assertThat(status).isEqualTo(Status.UNDER_REPLICATED);
        assertThat(status.exception("applied on 1 of 3 replicas")).isInstanceOf(UnderReplicatedException.class)
                .hasMessageContaining("applied on 1 of 3 replicas");
    }
}
