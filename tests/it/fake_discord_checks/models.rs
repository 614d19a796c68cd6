//! Every event the fake builds parses into serenity's model types, so builder drift fails here
//! instead of becoming a silently dropped event (serenity logs those at DEBUG only).

use serde_json::{json, Value};
use serenity::all::{
    ActionRowComponent, CommandType, ComponentInteractionDataKind, CreateActionRow, CreateButton,
    CreateMessage, Interaction, ResolvedValue,
};
use serenity::model::event::{Event, GatewayEvent};

use super::{studio, ALICE, BOB, GENERAL, RESPONDERS};
use crate::support::fake_discord::FakeDiscord;

/// Parses a dispatch the way serenity's shard does and returns the event.
pub fn parse_dispatch(name: &str, d: Value) -> Event {
    let frame = json!({ "op": 0, "s": 1, "t": name, "d": d });
    match serde_json::from_value::<GatewayEvent>(frame) {
        Ok(GatewayEvent::Dispatch(_, Event::Unknown(unknown))) => {
            panic!("{name} parsed as Unknown: {unknown:?}")
        }
        Ok(GatewayEvent::Dispatch(_, event)) => event,
        other => panic!("{name} did not parse as a dispatch: {other:?}"),
    }
}

fn interaction(d: Value) -> Interaction {
    match parse_dispatch("INTERACTION_CREATE", d) {
        Event::InteractionCreate(e) => e.interaction,
        other => panic!("not an interaction: {other:?}"),
    }
}

async fn fake_with_a_button_message() -> (FakeDiscord, serenity::all::Message) {
    let fake = studio().start().await;
    let buttons = CreateActionRow::Buttons(vec![CreateButton::new("ack").label("Acknowledge")]);
    let msg = GENERAL
        .send_message(
            &fake.http(),
            CreateMessage::new()
                .content("🚨 Login down")
                .components(vec![buttons]),
        )
        .await
        .expect("send a message with a button");
    (fake, msg)
}

#[tokio::test]
async fn a_slash_command_with_a_subcommand_and_options_parses_with_resolved_user() {
    // Arrange
    let fake = studio().start().await;
    let built = fake
        .slash(ALICE)
        .command("incident")
        .sub("declare")
        .opt_str("title", "Login down")
        .opt_int("players", 1200)
        .opt_bool("security", false)
        .opt_user("commander", BOB)
        .opt_role("team", RESPONDERS)
        .opt_channel("where", GENERAL);

    // Act
    let Interaction::Command(cmd) = interaction(built.to_json()) else {
        panic!("not a command")
    };

    // Assert
    assert_eq!(cmd.data.name, "incident");
    assert_eq!(cmd.member.as_ref().expect("member").user.id, ALICE);
    let options = cmd.data.options();
    let ResolvedValue::SubCommand(inner) = &options[0].value else {
        panic!("no subcommand: {options:?}")
    };
    assert_eq!(options[0].name, "declare");
    assert!(matches!(
        inner[0].value,
        ResolvedValue::String("Login down")
    ));
    assert!(matches!(inner[1].value, ResolvedValue::Integer(1200)));
    assert!(matches!(inner[2].value, ResolvedValue::Boolean(false)));
    assert!(matches!(inner[3].value, ResolvedValue::User(u, Some(_)) if u.id == BOB));
    assert!(matches!(inner[4].value, ResolvedValue::Role(r) if r.id == RESPONDERS));
    assert!(matches!(inner[5].value, ResolvedValue::Channel(c) if c.id == GENERAL));
}

#[tokio::test]
async fn an_autocomplete_request_parses_with_its_focused_option() {
    // Arrange
    let fake = studio().start().await;

    // Act
    let built = fake
        .autocomplete(ALICE)
        .command("incident")
        .sub("update")
        .focused("incident", "Log");
    let Interaction::Autocomplete(cmd) = interaction(built.to_json()) else {
        panic!("not autocomplete")
    };

    // Assert
    let focused = cmd.data.autocomplete().expect("a focused option");
    assert_eq!((focused.name, focused.value), ("incident", "Log"));
}

#[tokio::test]
async fn a_message_context_menu_command_parses_with_its_target_message() {
    // Arrange
    let (fake, msg) = fake_with_a_button_message().await;

    // Act
    let built = fake.message_command(ALICE, "Add to timeline", msg.id);
    let Interaction::Command(cmd) = interaction(built.to_json()) else {
        panic!("not a command")
    };

    // Assert
    assert_eq!(cmd.data.kind, CommandType::Message);
    assert_eq!(cmd.data.target_id.map(|t| t.get()), Some(msg.id.get()));
    assert!(cmd.data.resolved.messages.contains_key(&msg.id));
}

#[tokio::test]
async fn button_and_select_clicks_parse_with_the_message_they_belong_to() {
    // Arrange
    let (fake, msg) = fake_with_a_button_message().await;

    // Act
    let button = interaction(fake.button(ALICE, msg.id, "ack").to_json());
    let select = interaction(
        fake.button(ALICE, msg.id, "severity")
            .select(&["P1"])
            .to_json(),
    );

    // Assert
    let Interaction::Component(click) = button else {
        panic!("not a component")
    };
    assert_eq!(
        (click.data.custom_id.as_str(), click.message.id),
        ("ack", msg.id)
    );
    assert!(matches!(
        click.data.kind,
        ComponentInteractionDataKind::Button
    ));
    let Interaction::Component(choice) = select else {
        panic!("not a component")
    };
    assert!(
        matches!(&choice.data.kind, ComponentInteractionDataKind::StringSelect { values } if values == &["P1"])
    );
}

#[tokio::test]
async fn a_modal_submit_parses_with_its_text_inputs() {
    // Arrange
    let fake = studio().start().await;

    // Act
    let built = fake
        .modal_submit(ALICE, "update")
        .in_channel(GENERAL)
        .field("summary", "Rolled back");
    let Interaction::Modal(modal) = interaction(built.to_json()) else {
        panic!("not a modal")
    };

    // Assert
    assert_eq!(modal.data.custom_id, "update");
    let ActionRowComponent::InputText(input) = &modal.data.components[0].components[0] else {
        panic!("no text input")
    };
    assert_eq!(
        (input.custom_id.as_str(), input.value.as_deref()),
        ("summary", Some("Rolled back"))
    );
}

#[tokio::test]
async fn reaction_pin_message_and_guild_events_parse() {
    // Arrange
    let (fake, msg) = fake_with_a_button_message().await;

    // Act
    let reaction = parse_dispatch(
        "MESSAGE_REACTION_ADD",
        fake.reaction_add_json(BOB, msg.id, "📌"),
    );
    let pins = parse_dispatch("CHANNEL_PINS_UPDATE", fake.pins_update_json(GENERAL));
    let created = parse_dispatch("MESSAGE_CREATE", fake.message_create_json(msg.id));
    let guild = parse_dispatch("GUILD_CREATE", fake.guild_create_json());

    // Assert
    let Event::ReactionAdd(reaction) = reaction else {
        panic!("not a reaction")
    };
    assert_eq!(
        (reaction.reaction.user_id, reaction.reaction.message_id),
        (Some(BOB), msg.id)
    );
    assert!(matches!(pins, Event::ChannelPinsUpdate(p) if p.channel_id == GENERAL));
    assert!(matches!(created, Event::MessageCreate(m) if m.message.id == msg.id));
    let Event::GuildCreate(guild) = guild else {
        panic!("not a guild")
    };
    assert_eq!(guild.guild.channels.len(), 3);
    assert!(guild.guild.roles.contains_key(&RESPONDERS));
    assert!(guild.guild.members.contains_key(&ALICE));
}
