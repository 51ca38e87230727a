package dev.strand.cli;

import dev.strand.client.OutcomeUnknownException;
import dev.strand.protocol.Status;
import dev.strand.protocol.error.UnavailableException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;

import static org.assertj.core.api.Assertions.assertThat;

class ExitCodesTest {

    @ParameterizedTest
    @CsvSource({
            "NOT_FOUND, 3", "STALE, 3", "NO_SUCH_VOLUME, 3",
            "EXISTS, 4", "VOLUME_EXISTS, 4",
            "NOT_A_DIRECTORY, 5", "IS_A_DIRECTORY, 5", "NOT_EMPTY, 5", "INVALID_MOVE, 5", "CROSS_VOLUME, 5",
            "BAD_NAME, 6", "NAME_TOO_LONG, 6", "INVALID_ARGUMENT, 6", "BAD_VOLUME_NAME, 6",
            "PERMISSION_DENIED, 7", "NOT_AUTHENTICATED, 7",
            "IO_ERROR, 8", "INTERNAL, 8",
            "UNAVAILABLE, 9", "TIMEOUT, 9", "SHUTTING_DOWN, 9",
            "PROTOCOL_VERSION_MISMATCH, 10", "WRONG_CLUSTER, 10", "REQUEST_ID_REUSED, 10",
            "CHANGED, 11",
            "UNDER_REPLICATED, 12",
            "CONFLICT, 14"})
    void eachStatusFamilyHasItsExitCode(Status status, int code) {
        assertThat(ExitCodes.of(status)).isEqualTo(code);
        assertThat(ExitCodes.of(status.exception("x"))).isEqualTo(code);
    }

    @ParameterizedTest
    @EnumSource(Status.class)
    void noStatusIsReportedAsSuccessUsageOrUnknownFailure(Status status) {
        assertThat(ExitCodes.of(status)).isBetween(3, 14).isNotEqualTo(ExitCodes.OUTCOME_UNKNOWN);
    }

    @Test
    void everyCodeIsExplainedInTheHelp() {
        assertThat(ExitCodes.descriptions()).containsOnlyKeys("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11",
                "12", "13", "14", "75");
    }

    @Test
    void aChangeWhoseOutcomeNoServerToldHasItsOwnCodeAndSaysSo() {
        OutcomeUnknownException unknown = new OutcomeUnknownException("no server said whether /docs/f was replaced");

        assertThat(ExitCodes.of(unknown)).isEqualTo(13);
        assertThat(ExitCodes.of(Status.TIMEOUT)).as("a server's TIMEOUT alone").isEqualTo(9);
        assertThat(Failures.describe("/docs/f", unknown))
                .isEqualTo("strand: /docs/f: no server said whether /docs/f was replaced (OUTCOME UNKNOWN)");
    }

    @Test
    void localFileErrorsMapToTheMatchingFamilyOrToFailure() {
        assertThat(ExitCodes.of(new UncheckedIOException(new NoSuchFileException("/tmp/x")))).isEqualTo(3);
        assertThat(ExitCodes.of(new UncheckedIOException(new IOException("disk full")))).isEqualTo(1);
        assertThat(ExitCodes.of(new IllegalStateException("bug"))).isEqualTo(1);
    }

    @Test
    void aFailureIsPrintedWithPathMessageAndStatus() {
        assertThat(Failures.describe("/docs/x", new UnavailableException("connection lost")))
                .isEqualTo("strand: /docs/x: connection lost (UNAVAILABLE)");
        assertThat(Failures.describe(null, new UnavailableException("cannot connect")))
                .isEqualTo("strand: cannot connect (UNAVAILABLE)");
        assertThat(Failures.describe("/docs/x", new UncheckedIOException(new NoSuchFileException("local.bin"))))
                .isEqualTo("strand: local.bin: no such local file or directory");
    }
}
