package dev.strand.volume;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FrameBudgetTest {

    @Test
    void pagesDeriveFromTheConfiguredFrameSize() {
        FrameBudget budget = FrameBudget.of(ConfigFactory.parseString(FrameBudget.FRAME_SIZE_SETTING + " = 512 KiB"));

        assertThat(budget.frameSize()).isEqualTo(512 * 1024);
        assertThat(budget.pageBytes()).isEqualTo(256 * 1024);
    }

    @Test
    void aFrameSizeBelowWhatThePagesWereSizedForIsRefused() {
        assertThatThrownBy(() -> FrameBudget.of(ConfigFactory.parseString(FrameBudget.FRAME_SIZE_SETTING + " = 128 KiB")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(FrameBudget.FRAME_SIZE_SETTING);
    }

    @Test
    void theCostOfATextIsItsCborSize() {
        for (String s : new String[] {"", "a", "x".repeat(23), "x".repeat(24), "\u00e9".repeat(200), "\uD83D\uDE00".repeat(70),
                "\u4e2d".repeat(30_000)}) {
            int utf8 = s.getBytes(StandardCharsets.UTF_8).length;
            assertThat(FrameBudget.utf8Bytes(s)).isEqualTo(utf8);
            int header = utf8 < 24 ? 1 : utf8 < 256 ? 2 : utf8 < 65_536 ? 3 : 5;
            assertThat(FrameBudget.text(s)).isEqualTo(header + utf8);
        }
    }
}
