package dev.strand.actors.fencing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FencingSettingsTest {

    /** The server's downing timing (ops application.conf): 3 s of silence, then 5 s of stable membership. */
    private static Config serverTiming(String fencing) {
        return ConfigFactory.parseString(fencing + "\n"
                        + "pekko.cluster.failure-detector.acceptable-heartbeat-pause = 3s\n"
                        + "pekko.cluster.split-brain-resolver.stable-after = 5s")
                .withFallback(ConfigFactory.load());
    }

    @Test
    void theDefaultsFitTheServersDowningTime() {
        FencingSettings settings = FencingSettings.fromConfig(serverTiming(""));

        assertThat(settings.leaseDuration()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.trusted()).isEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void aLeaseThatOutlivesDowningIsRefusedAtStartWithWhatToChange() {
        assertThatThrownBy(() -> FencingSettings.fromConfig(serverTiming("strand.fencing.lease-duration = 8s")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("strand.fencing.lease-duration")
                .hasMessageContaining("acceptable-heartbeat-pause")
                .hasMessageContaining("stable-after");
    }

    @Test
    void aRenewalIntervalThatLetsTheLeaseLapseIsRefused() {
        assertThatThrownBy(() -> FencingSettings.fromConfig(serverTiming("strand.fencing.renew-interval = 4s")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("strand.fencing.renew-interval");
    }
}
