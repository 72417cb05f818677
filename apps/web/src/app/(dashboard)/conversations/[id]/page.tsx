import { ConversationPage } from "../../../../features/conversation";

export default async function Page({ params }: { params: Promise<{ id: string }> }): Promise<React.ReactNode> {
  const { id } = await params;
  return <ConversationPage id={id} />;
}
