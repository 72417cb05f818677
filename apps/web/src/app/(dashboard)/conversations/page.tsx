import { ConversationsPage } from "../../../features/conversations";

export default function Page(): React.ReactNode {
  return <ConversationsPage />;
}
