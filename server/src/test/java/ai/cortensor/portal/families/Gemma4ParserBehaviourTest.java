package ai.cortensor.portal.families;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The streaming parser's rules beyond the vectors: hold-back, malformed calls, end tokens, starting states. */
class Gemma4ParserBehaviourTest {
    static final Family GEMMA = Families.GEMMA_4;
    static final Rendered TOOLS = Gemma4FamilyTest.render("c06_tools_declared_no_calls");
    static final Rendered NO_TOOLS = Gemma4FamilyTest.render("c01_single_user");

    /** Records raw events (no trimming) as readable strings. */
    static final class Events implements OutputSink {
        final List<String> events = new ArrayList<>();

        @Override
        public void reasoning(String delta) {
            events.add("R:" + delta);
        }

        @Override
        public void content(String delta) {
            events.add("C:" + delta);
        }

        @Override
        public void toolCallStart(int index, String name) {
            events.add("T" + index + ":" + name);
        }

        @Override
        public void toolCallArguments(int index, String delta) {
            events.add("A" + index + ":" + delta);
        }
    }

    static ParsedOutput parse(Rendered r, String raw) {
        return ParsedOutput.parse(GEMMA, r, raw, false);
    }

    /** Each piece's events on their own. */
    static List<List<String>> feed(Rendered r, String... pieces) {
        OutputParser p = GEMMA.parser(r);
        List<List<String>> out = new ArrayList<>();
        for (String piece : pieces) {
            Events e = new Events();
            p.feed(piece, e);
            out.add(e.events);
        }
        Events e = new Events();
        p.finish(e);
        out.add(e.events);
        return out;
    }

    @Test
    void holdsBackOnlyWhatCouldStillBecomeATag() {
        assertThat(feed(TOOLS, "Hello <|chan", "nel>thought\nhm<chan", "nel|>ok"))
                .containsExactly(List.of("C:Hello "), List.of("R:hm"), List.of("C:ok"), List.of());
        assertThat(feed(TOOLS, "a < b and a<b", "!")).containsExactly(List.of("C:a < b and a<b"), List.of("C:!"),
                List.of());
        assertThat(feed(TOOLS, "x <|tool_c")).containsExactly(List.of("C:x "), List.of("C:<|tool_c"));
    }

    @Test
    void emitsACallWholeWhenItsArgumentObjectCloses() {
        assertThat(feed(TOOLS, "<|tool_call>call:get_time{time", "zone:<|\"|>UTC<|\"|>", "}", "<tool_call|>"))
                .containsExactly(List.of(), List.of(), List.of("T0:get_time", "A0:{\"timezone\": \"UTC\"}"), List.of(),
                        List.of());
    }

    @Test
    void numbersCallsInTheOrderWritten() {
        assertThat(feed(TOOLS, "<|tool_call>call:a{}<tool_call|>\n<|tool_call>call:b{x:1}<tool_call|>"))
                .containsExactly(List.of("T0:a", "A0:{}", "C:\n", "T1:b", "A1:{\"x\": 1}"), List.of());
    }

    @Test
    void aMalformedCallIsContentVerbatimAndParsingGoesOn() {
        ParsedOutput out = parse(TOOLS, "<|tool_call>call:f{a:<|\"|>x<|\"|>]} then <|tool_call>call:g{}<tool_call|>");
        assertThat(out.content()).isEqualTo("<|tool_call>call:f{a:<|\"|>x<|\"|>]} then");
        assertThat(out.toolCalls()).containsExactly(new ParsedOutput.Call("g", "{}"));
        assertThat(parse(TOOLS, "<|tool_call>call:bad name{}").content()).isEqualTo("<|tool_call>call:bad name{}");
        assertThat(parse(TOOLS, "<|tool_call>cal{}").content()).isEqualTo("<|tool_call>cal{}");
        assertThat(parse(TOOLS, "<|tool_call>call:f{:1}").content()).isEqualTo("<|tool_call>call:f{:1}");
        assertThat(parse(TOOLS, "<|tool_call>").content()).isEqualTo("<|tool_call>");
    }

    @Test
    void anEndTokenInsideAnUnfinishedCallEndsTheTurnAndTheCallIsContent() {
        OutputParser p = GEMMA.parser(TOOLS);
        Events e = new Events();
        p.feed("<|tool_call>call:f{a:1<turn|>ignored", e);
        p.finish(e);
        assertThat(e.events).containsExactly("C:<|tool_call>call:f{a:1");
        assertThat(p.ended()).isTrue();
    }

    @Test
    void anEndTokenInsideAQuotedStringIsPartOfTheString() {
        ParsedOutput out = parse(TOOLS, "<|tool_call>call:say{text:<|\"|>a <turn|> b<|\"|>}<tool_call|>");
        assertThat(out.toolCalls()).containsExactly(new ParsedOutput.Call("say", "{\"text\": \"a <turn|> b\"}"));
    }

    @Test
    void turnEosAndToolResponseEndTheTurnAndLaterTextIsIgnored() {
        for (String end : List.of("<turn|>", "<eos>", "<|tool_response>")) {
            OutputParser p = GEMMA.parser(TOOLS);
            Events e = new Events();
            p.feed("Done." + end + "<|turn>user\nmore", e);
            p.feed("and more", e);
            p.finish(e);
            assertThat(e.events).as(end).containsExactly("C:Done.");
            assertThat(p.ended()).isTrue();
        }
        OutputParser thinking = GEMMA.parser(Gemma4FamilyTest.render("c14_reasoning_on"));
        thinking.feed("<|channel>thought\ncut<eos>", new Events());
        assertThat(thinking.ended()).isTrue();
    }

    @Test
    void withoutToolsCallMarkupIsContentButThoughtsAreStillReasoning() {
        ParsedOutput out = parse(NO_TOOLS, "<|channel>thought\nhm<channel|>Sure: <|tool_call>call:f{}<tool_call|>");
        assertThat(out.reasoning()).isEqualTo("hm");
        assertThat(out.content()).isEqualTo("Sure: <|tool_call>call:f{}<tool_call|>");
        assertThat(out.toolCalls()).isEmpty();
    }

    @Test
    void aPromptEndingInAnOpenThoughtStartsInReasoning() {
        Rendered r = Gemma4FamilyTest.render("c16_tools_and_reasoning_on");
        ParsedOutput out = parse(r, "I'm in Lisbon.<channel|>Checking. <|tool_call>call:get_weather{location:"
                + "<|\"|>Lisbon, Portugal<|\"|>}<tool_call|>");
        assertThat(out.reasoning()).isEqualTo("I'm in Lisbon.");
        assertThat(out.content()).isEqualTo("Checking.");
        assertThat(out.toolCalls()).hasSize(1);
    }

    @Test
    void aThoughtCutByLengthIsAllReasoning() {
        ParsedOutput out = ParsedOutput.parse(GEMMA, Gemma4FamilyTest.render("c14_reasoning_on"),
                "<|channel>thought\nStill thinking", true);
        assertThat(out.reasoning()).isEqualTo("Still thinking");
        assertThat(out.content()).isNull();
        assertThat(out.finishReason()).isEqualTo("length");
    }

    @Test
    void theChannelNameIsDroppedOnlyWhenItIsThought() {
        assertThat(parse(TOOLS, "<|channel>thought<channel|>Hi").reasoning()).isNull();
        assertThat(parse(TOOLS, "<|channel>notes\nabc<channel|>Hi").reasoning()).isEqualTo("notes\nabc");
        assertThat(parse(TOOLS, "<|channel>thoughtful<channel|>Hi").reasoning()).isEqualTo("thoughtful");
        assertThat(feed(TOOLS, "<|channel>tho", "ught", "\nx")).containsExactly(List.of(), List.of(), List.of("R:x"),
                List.of());
    }

    @Test
    void aCompleteCallWithoutItsCloseTagIsStillACall() {
        ParsedOutput out = parse(TOOLS, "<|tool_call>call:f{a:1}Then text");
        assertThat(out.toolCalls()).containsExactly(new ParsedOutput.Call("f", "{\"a\": 1}"));
        assertThat(out.content()).isEqualTo("Then text");
    }

    @Test
    void textWhoseSpecialTokensWereDroppedIsContentAsItIs() {
        ParsedOutput out = parse(TOOLS, "thought\nreasoningcall:f{a:London}");
        assertThat(out.content()).isEqualTo("thought\nreasoningcall:f{a:London}");
        assertThat(out.reasoning()).isNull();
        assertThat(out.toolCalls()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "<|tool_call>call:f{a:<|\"|>x<|\"|>]} then <|tool_call>call:g{}<tool_call|>",
            "<|tool_call>call:f{a:1<turn|>ignored", "<|tool_call>call:bad name{}", "<|tool_call>cal<|channel>x",
            "<|channel>thought<channel|>Hi <|tool_c", "<|channel>tho<|channel>ught\n<channel|>",
            "a<<|\"|><|tool_call>call:f{k:<<|\"|>v<|\"|<|\"|>}<tool_call|<tool_call|>x",
            "<|tool_call>call:f{a:{b:[1,<|\"|>]<|\"|>]}}<tool_call|><|tool_call>call:g{a:1}}<eos>",
            "I think.<channel|>Then <|tool_call>call:f{x:tru e}<|tool_response>", "<channel|><channel|><turn|"})
    void trickyOutputsParseTheSameUnderEverySplit(String raw) {
        for (Rendered r : List.of(TOOLS, NO_TOOLS, Gemma4FamilyTest.render("c16_tools_and_reasoning_on"))) {
            ParsedOutput whole = parse(r, raw);
            assertThat(Gemma4ParserTest.stream(r, raw, false, Gemma4ParserTest::chars)).isEqualTo(whole);
            for (int i = 0; i <= raw.length(); i++) {
                for (int j = i; j <= raw.length(); j++) {
                    int a = i;
                    int b = j;
                    ParsedOutput split = Gemma4ParserTest.stream(r, raw, false,
                            s -> List.of(s.substring(0, a), s.substring(a, b), s.substring(b)));
                    assertThat(split).as("%s split at %d, %d", raw, i, j).isEqualTo(whole);
                }
            }
        }
    }
}
