package dev.strand.protocol;

import dev.strand.protocol.error.FileTooLargeException;
import dev.strand.protocol.error.InvalidArgumentException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileSizesTest {

    private static final long MAX = ProtocolLimits.MAX_FILE_SIZE;

    @Test
    void sizesUpToTheLargestFileAreAccepted() {
        assertThat(FileSizes.checkSize(0, "size")).isZero();
        assertThat(FileSizes.checkSize(MAX, "size")).isEqualTo(MAX);
        assertThatThrownBy(() -> FileSizes.checkSize(MAX + 1, "size")).isInstanceOf(FileTooLargeException.class);
        assertThatThrownBy(() -> FileSizes.checkSize(Long.MAX_VALUE, "size")).isInstanceOf(FileTooLargeException.class);
        assertThatThrownBy(() -> FileSizes.checkSize(-1, "size")).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void aStoresExpectedLengthIsMinusOneOrASize() {
        assertThat(FileSizes.checkExpectedLength(-1)).isEqualTo(-1);
        assertThat(FileSizes.checkExpectedLength(MAX)).isEqualTo(MAX);
        assertThatThrownBy(() -> FileSizes.checkExpectedLength(-2)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> FileSizes.checkExpectedLength(Long.MIN_VALUE)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> FileSizes.checkExpectedLength(MAX + 1)).isInstanceOf(FileTooLargeException.class);
    }

    @Test
    void aFetchRangeHasANonNegativeOffsetAndALengthOfMinusOneOrMore() {
        FileSizes.checkFetchRange(0, -1);
        FileSizes.checkFetchRange(Long.MAX_VALUE, Long.MAX_VALUE);
        assertThatThrownBy(() -> FileSizes.checkFetchRange(0, -2)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> FileSizes.checkFetchRange(-1, 0)).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void theEndOfAFetchNeverOverflows() {
        assertThat(FileSizes.fetchEnd(1, Long.MAX_VALUE, 5)).isEqualTo(5);
        assertThat(FileSizes.fetchEnd(Long.MAX_VALUE - 10, Long.MAX_VALUE, Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
        assertThat(FileSizes.fetchEnd(2, 2, 5)).isEqualTo(4);
        assertThat(FileSizes.fetchEnd(5, -1, 5)).isEqualTo(5);
        assertThat(FileSizes.fetchEnd(0, -1, 0)).isZero();
    }
}
