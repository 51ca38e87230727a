package dev.strand.protocol.message;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a request field that holds directory entry names: text there that is not valid UTF-8 is answered
 * with BAD_NAME rather than BAD_REQUEST (see {@link dev.strand.protocol.WireCodec#decode}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface EntryName {}
