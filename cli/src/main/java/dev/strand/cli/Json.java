package dev.strand.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;

/**
 * Plain JSON output for {@code --json}: indented, stable field names (those of the view records); absent
 * values are written as null rather than left out, so every object of a kind has the same fields.
 */
public final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .serializationInclusion(JsonInclude.Include.ALWAYS)
            .build();

    private Json() {}

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Writes one JSON document and a newline. */
    public static void print(PrintWriter out, Object value) {
        try {
            MAPPER.writeValue(out, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.println();
        out.flush();
    }

    /** A JSON array written element by element, so a huge listing never sits in memory whole. */
    public static ArrayWriter array(Writer out) {
        try {
            JsonGenerator generator = MAPPER.getFactory().createGenerator(out);
            generator.useDefaultPrettyPrinter();
            generator.writeStartArray();
            return new ArrayWriter(generator, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An open JSON array; {@link #close()} ends it. */
    public static final class ArrayWriter implements AutoCloseable {
        private final JsonGenerator generator;
        private final Writer out;

        ArrayWriter(JsonGenerator generator, Writer out) {
            this.generator = generator;
            this.out = out;
        }

        public void write(Object element) {
            try {
                MAPPER.writeValue(generator, element);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            try {
                generator.writeEndArray();
                generator.flush();
                out.write(System.lineSeparator());
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
