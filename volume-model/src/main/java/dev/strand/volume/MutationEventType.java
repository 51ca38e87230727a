package dev.strand.volume;

import com.fasterxml.jackson.annotation.JacksonAnnotationsInside;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A field holding a mutation's event (typed by the interface) names the event by a stable name, never its Java
 * class: the one table of those names, for the resolution log and the resolution's steps alike. Names are stored;
 * never change one.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT})
@JacksonAnnotationsInside
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "@type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = VolumeEvent.FileCreated.class, name = "FileCreated"),
        @JsonSubTypes.Type(value = VolumeEvent.DirectoryCreated.class, name = "DirectoryCreated"),
        @JsonSubTypes.Type(value = VolumeEvent.SymlinkCreated.class, name = "SymlinkCreated"),
        @JsonSubTypes.Type(value = VolumeEvent.LinkAdded.class, name = "LinkAdded"),
        @JsonSubTypes.Type(value = VolumeEvent.EntryRemoved.class, name = "EntryRemoved"),
        @JsonSubTypes.Type(value = VolumeEvent.DirectoryRemoved.class, name = "DirectoryRemoved"),
        @JsonSubTypes.Type(value = VolumeEvent.Renamed.class, name = "Renamed"),
        @JsonSubTypes.Type(value = VolumeEvent.AttributesSet.class, name = "AttributesSet"),
        @JsonSubTypes.Type(value = VolumeEvent.ContentStored.class, name = "ContentStored")})
public @interface MutationEventType {}
