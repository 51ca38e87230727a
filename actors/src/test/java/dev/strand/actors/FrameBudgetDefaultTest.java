package dev.strand.actors;

import com.typesafe.config.ConfigFactory;
import dev.strand.volume.FrameBudget;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FrameBudgetDefaultTest {

    /** The pages were sized for Pekko's own default frame; a Pekko upgrade that lowers it must be noticed. */
    @Test
    void pekkosDefaultFrameIsTheOneThePagesWereSizedFor() {
        assertThat(FrameBudget.of(ConfigFactory.load())).isEqualTo(FrameBudget.DEFAULT);
    }
}
